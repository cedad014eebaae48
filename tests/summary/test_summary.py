"""Consolidated reply on a small written discussion, with the hashing embedder (no model)."""
from __future__ import annotations

import json

import pytest

from miner.errors import ConfigError, NotFoundError
from miner.stages.summary import (
    Point, VerbatimError, load_edits, render, save_edits, summarize, verify,
)
from miner.stages.summary.themes import mmr, split_spans
from miner.stages.summary.verbatim import norm

from .conftest import QUERY, RESPONSES, insert


def _texts(ws):
    return dict(ws.db.execute("SELECT message_id, text FROM messages"))


def test_sections(discussion):
    ws, mids = discussion
    r = summarize(ws, mids[3])  # any Message-ID of the thread
    assert r.query.author_name == "Helena Brandt"
    assert r.query.organisation == "Governance Practice Network" and r.query.place == "Sweden"
    assert "local budgeting" in r.query.text
    assert [c.name for c in r.contributors] == ["Amina Yusuf", "Carlos Rivera", "Priya Nair",
                                                "Jean Dupont"]
    assert r.contributors[0].messages == 2 and r.contributors[0].country == "Nigeria"
    assert r.themes and all(t.points for t in r.themes)
    texts = _texts(ws)
    for p in r.points():
        assert norm(p.text) in norm(texts[p.message_id])
        assert p.author_name != "Helena Brandt"  # the asker's own lines are not responses
    places = {e.place for e in r.experiences}
    assert {"Nigeria", "Peru", "India", "Senegal"} <= places
    res = {(x.kind, x.name): x for x in r.resources}
    assert res[("link", "http://presupuesto.example.org/dashboard")].recommended_by == ("Carlos Rivera",)
    assert res[("document", "Participatory Budgeting Handbook")].recommended_by == ("Amina Yusuf",)
    assert any(k == "organisation" and "World Bank Institute" in n for k, n in res)
    assert len(r.responses) == 5 and r.responses[0].text.startswith("Dear Helena")
    assert r.summary_text and all(s in " ".join(texts.values()).replace("\n", " ")
                                  for s in r.summary_text.split(". ")[:1])
    assert any("practices stage" in n for n in r.notes)


def test_json_shape(discussion):
    ws, mids = discussion
    d = json.loads(render(summarize(ws, "t-budget"), "json"))
    assert {"title", "query", "contributors", "themes", "experiences", "resources", "related",
            "summary_text"} <= set(d)
    p = d["themes"][0]["points"][0]
    assert {"text", "message_id", "author_name"} <= set(p)


def test_points_chosen_without_redundancy(ws):
    dup = "Publishing the draft budget early was key for participation in our city."
    insert(ws, [(0, QUERY)] + [(i, dup) for i in (1, 2, 3)] + RESPONSES[1:3])
    r = summarize(ws, "t-budget")
    shown = [p.text for t in r.themes for p in t.points]
    assert shown.count(dup) <= 1


def test_mmr_skips_near_duplicates():
    import numpy as np

    X = np.array([[1, 0], [1, 0], [0, 1]], dtype=np.float32)
    assert mmr(X, np.array([1.0, 0.99, 0.5]), 3) == [0, 2]


def test_split_spans_are_exact():
    text = "Dear all,\n\nWe tried it in\nNigeria. It worked (e.g. in Kano)! Next?\n- item one here\n- two"
    spans = split_spans(text)
    assert all(text[a:b] == text[a:b].strip() for a, b in spans)
    flat = [" ".join(text[a:b].split()) for a, b in spans]
    assert "We tried it in Nigeria." in flat and "It worked (e.g. in Kano)!" in flat
    assert "- item one here" in flat


def test_verbatim_check_raises():
    with pytest.raises(VerbatimError, match="not verbatim"):
        verify([Point("We never said this.", "m1", "A")], {"m1": "We said\nthat."})
    verify([Point("We said that.", "m1", "A")], {"m1": "We said\nthat."})  # wrapping is fine


def test_unknown_thread(ws):
    with pytest.raises(NotFoundError):
        summarize(ws, "<nope@example.org>")
    with pytest.raises(ConfigError):
        summarize(ws, None)


def test_subject_pattern_and_dates(discussion):
    ws, mids = discussion
    insert(ws, [(2, "Another question about citizen budgets in our municipality, please?"),
                (3, "In India we used ward committees to discuss the municipal budget.")],
           thread_id="t-two", subject="E-Discussion: citizen budgets (part 2)")
    r = summarize(ws, None, subject_pattern="E-Discussion: citizen*")
    assert set(r.thread_ids) == {"t-budget", "t-two"}
    assert len(r.responses) == 7
    r2 = summarize(ws, None, since="2021-10-01", until="2021-10-04")
    assert set(r2.thread_ids) == {"t-budget", "t-two"}
    with pytest.raises(NotFoundError):
        summarize(ws, None, subject_pattern="nothing like this")


def test_edits_roundtrip(discussion):
    ws, mids = discussion
    draft = summarize(ws, "t-budget")
    assert len(draft.themes) >= 2
    t1, t2 = draft.themes[0], draft.themes[1]
    dropped = t1.points[0]
    save_edits(ws, "t-budget", {"order": [t2.key, t1.key], "rename": {t1.key: "Funding & <b>"},
                                "drop_points": [[dropped.message_id, dropped.text]]})
    assert load_edits(ws, "t-budget")["rename"] == {t1.key: "Funding & <b>"}
    e = summarize(ws, mids[0])
    assert e.edited and e.themes[0].key == t2.key
    assert e.themes[1].label == "Funding & <b>"
    assert dropped not in e.themes[1].points
    assert "Funding &amp; &lt;b&gt;" in render(e, "html")
    assert not summarize(ws, "t-budget", edits=False).edited
    save_edits(ws, "t-budget", {"drop_themes": [t1.key]})
    assert t1.key not in [t.key for t in summarize(ws, "t-budget").themes]
    with pytest.raises(ConfigError, match="valid keys are"):
        save_edits(ws, "t-budget", {"reorder": []})


def test_degrades_without_embedder(discussion):
    ws, mids = discussion

    class Broken:
        name, dim = "broken", 8

        def encode(self, texts, batch_size=64):
            raise OSError("model weights not found")

    ws.embedder = Broken()
    r = summarize(ws, "t-budget")
    assert r.themes and any("TF-IDF" in n for n in r.notes)
