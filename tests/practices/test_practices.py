from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from miner.stages import practices
from miner.stages.gazetteer import find_countries
from miner.stages.practice_rules import rule_label, split_sentences

_spec = importlib.util.spec_from_file_location(
    "tinyws", Path(__file__).resolve().parent.parent / "experts" / "tinyws.py")
tinyws = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tinyws)


def fake_ner(texts):
    return [([], ["ASA"] if "ASA" in t else []) for t in texts]


def test_sentences_are_verbatim_spans():
    text = "We tried it in class.\nIt worked\nwell, e.g. for loops.\n\nSee https://x.org for more"
    spans = split_sentences(text)
    assert [s for _, _, s in spans][0] == "We tried it in class."
    for a, b, s in spans:
        assert text[a:b] == s
    assert any("e.g. for loops" in s for _, _, s in spans)  # no split after e.g.


@pytest.mark.parametrize("sentence, kind", [
    ("I would suggest you try a smaller model first.", "recommendation"),
    ("Lessons learned: start small.", "lesson"),
    ("Is there a package for this?", "none"),
    ("The installation failed with an error.", "challenge"),
    ("See the book by Wickham at https://r4ds.had.co.nz", "resource"),
])
def test_rule_baseline(sentence, kind):
    assert rule_label(sentence) == kind


def test_gazetteer():
    assert find_countries("We did this in Kenyan schools and in the US, not in us.") == [
        "Kenya", "United States"]


def test_stage_cards_filters_and_incremental(tmp_path):
    from miner.nlp.embedders import HashingEmbedder

    ws = tinyws.make_ws(tmp_path / "ws")
    ws.embedder = HashingEmbedder(dim=64)
    rep = practices.run(ws, detector=practices.RuleDetector(), ner=fake_ner)
    assert rep["messages"] == len(tinyws.MESSAGES) and rep["cards_added"] > 0
    cards = practices.list_practices(ws)
    texts = {c.message_id: c for c in cards}
    body = {k + "@x": t for k, *_, t in tinyws.MESSAGES}
    for c in cards:  # verbatim from the new text of its message
        assert c.text in body[c.message_id]
        assert c.kind in practices.KINDS
    lessons = practices.list_practices(ws, kind="lesson")
    assert lessons and all(c.kind == "lesson" for c in lessons)
    # the same lesson stated twice is one card with two sources
    dup = [c for c in lessons if "small examples" in c.text]
    assert len(dup) == 1 and set(dup[0].sources) == {"c1@x", "c2@x"}
    kenya = practices.list_practices(ws, country="Kenya")
    assert kenya and all("Kenya" in c.places or c.person_id == 1 for c in kenya)
    assert practices.list_practices(ws, person="Wolf") and all(
        c.author_name == "Wolf Expert" for c in practices.list_practices(ws, person="Wolf"))
    assert practices.list_practices(ws, person="2") == practices.list_practices(ws, person="Wolf")
    assert "three-level" in texts.get("a2@x", cards[0]).context or texts.get("a2@x") is None
    again = practices.run(ws, detector=practices.RuleDetector(), ner=fake_ner)
    assert again["messages"] == 0 and again["cards_added"] == 0
    with pytest.raises(Exception, match="kinds are"):
        practices.list_practices(ws, kind="nonsense")


def test_statement_expanded_to_stand_alone():
    text = "We switched to RStudio Cloud last year. This saved a lot of installation trouble."
    spans = split_sentences(text)
    a, b = practices.statement_span(spans, 1)
    assert text[a:b] == text


def test_classifier_json_round_trip_and_shipped_format(tmp_path):
    from miner.nlp.embedders import HashingEmbedder
    from miner.stages.practice_model import FORMAT, PracticeClassifier, training_rows

    rows = training_rows()[:150]
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    emb = HashingEmbedder(dim=32)
    clf = PracticeClassifier(embedder=emb, C=1.0, none_scale=0.9).fit(texts, labels)
    back = PracticeClassifier.load(clf.save(tmp_path / "m.json"), embedder=emb)
    assert back.predict_scored(texts[:40]) == clf.predict_scored(texts[:40])
    assert PracticeClassifier.load().to_dict()["format"] == FORMAT  # the shipped model loads
    with pytest.raises(Exception, match="not fitted"):
        PracticeClassifier(embedder=emb).predict(["x y z"])


def test_questions_quotes_and_signatures_are_not_cards():
    text = ("Do we need different materials for each group?\n\nRWH> bimodality in the audience.\n\n"
            "John Doe email: john at anu.edu.au phone : +61 2 6125\n\n"
            "I would suggest you try a smaller model first.")
    found = practices.mentions(text, practices.RuleDetector())
    assert [(k, text[a:b]) for k, _, a, b in found] == [
        ("recommendation", "I would suggest you try a smaller model first.")]


def test_mentions_of_many_messages_take_one_detector_call():
    """The stage classifies a batch of messages in one call (quality mode embeds the sentences
    together); the mentions are those found message by message."""
    texts = ["We learned that training local staff first worked best. Thanks!",
             "Any idea?", "",
             "I would suggest you try a smaller model first. A good practice is to pilot it."]

    class Counting(practices.RuleDetector):
        calls = 0

        def predict_scored(self, texts):
            Counting.calls += 1
            return super().predict_scored(texts)

    det = Counting()
    one_by_one = [practices.mentions(t, practices.RuleDetector()) for t in texts]
    together = practices.mentions_many(texts, det)
    assert together == one_by_one and Counting.calls == 1
    assert sum(map(len, together)) >= 2 and together[1] == together[2] == []


def test_ner_filters_software_words_and_unknown_places():
    from miner.nlp.spacy_ner import _org_ok, _place_ok

    assert [o for o in ("GUI", "Rcmdr", "al", "Purdue", "x (http://a.b)") if _org_ok(o)] == [
        "Purdue"]
    assert [p for p in ("Devore", "Fortran", "Australia", "Ohio") if _place_ok(p)] == [
        "Australia", "Ohio"]


def test_count_and_pages_match_the_full_list(tmp_path):
    from miner.nlp.embedders import HashingEmbedder

    ws = tinyws.make_ws(tmp_path / "ws")
    ws.embedder = HashingEmbedder(dim=64)
    practices.run(ws, detector=practices.RuleDetector(), ner=fake_ner)
    for filters in ({}, {"kind": "lesson"}, {"country": "Kenya"}, {"person": "Wolf"}):
        full = practices.list_practices(ws, **filters)
        assert practices.count_practices(ws, **filters) == len(full)
        paged = [c for off in range(0, len(full) + 2, 2)
                 for c in practices.list_practices(ws, **filters, limit=2, offset=off)]
        assert paged == full


def test_near_duplicates_from_the_index_equal_the_exact_ones(monkeypatch):
    rng = np.random.default_rng(0)
    base = rng.normal(size=(300, 32)).astype(np.float32)
    V = np.vstack([base, base[:100] + 0.05 * rng.normal(size=(100, 32)).astype(np.float32)])
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    new = np.arange(len(V))
    exact = practices._near_earlier(V, new, 0.9)
    monkeypatch.setattr(practices, "_EXACT_PAIRS", 0)
    approx = practices._near_earlier(V, new, 0.9)
    assert sum(len(e) for e in exact) > len(V)  # the 100 copies found their originals
    assert all(set(a.tolist()) == set(e.tolist()) for a, e in zip(approx, exact))


def test_ner_runs_the_model_once_per_text_with_capitals():
    from types import SimpleNamespace

    from miner.nlp.spacy_ner import entities

    seen = []

    def nlp_pipe(texts, batch_size):
        for t in texts:
            seen.append(t)
            yield SimpleNamespace(ents=[SimpleNamespace(text="Kenya", label_="GPE")])

    out = entities(["we did it in kenya.", "We did it in Kenya.", "We did it in Kenya."],
                   nlp=SimpleNamespace(pipe=nlp_pipe))
    assert seen == ["We did it in Kenya."]
    assert out == [([], []), (["Kenya"], []), (["Kenya"], [])]
