from __future__ import annotations

import json

import pytest

from miner.errors import NotFoundError, StageError
from miner.stages import topics
from miner.stages import topics_model as tm

from .conftest import add_messages, run_topics


def _theme_of(label: str) -> str:
    from .conftest import THEMES

    words = set(label.replace("/", " ").split())
    return max(THEMES, key=lambda t: len(words & set(THEMES[t])))


def test_fast_topics_find_the_themes_and_label_them(ws, emb):
    report = run_topics(ws, emb)
    ts = topics.list_topics(ws)
    assert report["topics"] == len(ts) >= 3
    assert report["outlier_share"] > 0  # the "Thanks!" message
    assert all(" / " in t.label for t in ts)
    # every theme has a topic whose label speaks of it, and no stop word is a keyword
    assert {_theme_of(t.label) for t in ts} == {"effect", "bias", "install"}
    stop = set(tm.stop_words())
    assert not any(w in stop for t in ts for w in t.keywords)
    # thread shares sum to one
    share = ws.db.execute("SELECT thread_id, sum(share) FROM thread_topics GROUP BY thread_id")
    assert all(abs(s - 1) < 1e-6 for _, s in share)


def test_two_runs_give_the_same_ids_and_labels(ws, emb):
    run_topics(ws, emb)
    first = [(t.topic_id, t.label, t.size) for t in topics.list_topics(ws)]
    report = run_topics(ws, emb)
    assert [(t.topic_id, t.label, t.size) for t in topics.list_topics(ws)] == first
    assert report["new_ids"] == 0


def test_incremental_update_keeps_ids_and_gives_new_topics_new_ids(ws, emb):
    ws.config.set("topics_min_size", 30)  # k = n // 30: one topic per theme
    run_topics(ws, emb)
    assign = dict(ws.db.execute("SELECT key, topic_id FROM message_topics WHERE topic_id != -1"))
    old_max = max(assign.values())
    add_messages(ws, 30, seed=2, start=2000, themes={
        "garden": "tomato garden compost soil seeds watering harvest greenhouse".split()})  # noqa: SIM905
    report = run_topics(ws, emb)
    now = dict(ws.db.execute("SELECT key, topic_id FROM message_topics"))
    same = sum(now[k] == t for k, t in assign.items()) / len(assign)
    print(f"old messages keeping their topic id: {same:.2f}; {report['kept_ids']} ids kept")
    assert same >= 0.9
    garden = [t for t in topics.list_topics(ws) 
              if {"tomato", "compost"} & set(" ".join(t.keywords).split())]
    assert garden and all(t.topic_id > old_max for t in garden)


def test_rename_and_merge_survive_a_rerun(ws, emb):
    run_topics(ws, emb)
    a, b = topics.list_topics(ws)[:2]
    topics.rename_topic(ws, a.topic_id, "Our label")
    merged = topics.merge_topics(ws, [a.topic_id, b.topic_id])
    assert merged.label == "Our label" and merged.size == a.size + b.size
    run_topics(ws, emb)
    ts = {t.topic_id: t for t in topics.list_topics(ws)}
    assert ts[a.topic_id].label == "Our label"
    assert b.topic_id not in ts and ts[a.topic_id].size == a.size + b.size
    over = topics.topic_over_time(ws, a.topic_id)
    assert sum(p.messages for p in over) == a.size + b.size
    assert topics.topic_messages(ws, a.topic_id, 3)[0].score > 0


def test_errors_name_what_to_do(ws, emb):
    with pytest.raises(NotFoundError, match="miner analyze topics"):
        topics.get_topic(ws, 99)
    run_topics(ws, emb)
    with pytest.raises(NotFoundError, match="miner topics"):
        topics.rename_topic(ws, 99, "x")
    with pytest.raises(StageError, match="two topic ids"):
        topics.merge_topics(ws, [1])


def test_too_few_messages_is_a_stage_error(tmp_path, emb):
    from miner.workspace import Workspace

    from .conftest import fake_vectors

    w = Workspace.open(tmp_path / "small", create=True)
    add_messages(w, 2)
    with pytest.raises(StageError, match="topics_min_size"):
        topics.run(w, None, vectors=fake_vectors(w, emb), embed_fn=emb.encode, mode="fast")


def test_model_is_saved_without_pickle(ws, emb):
    run_topics(ws, emb)
    files = {p.name for p in (ws.path / topics.MODEL_DIR).iterdir()}
    assert "topic_embeddings.safetensors" in files and "miner_topic_ids.json" in files
    assert not any(f.endswith((".pkl", ".pickle", ".bin")) for f in files)


def test_quality_figures_and_label_helpers(ws, emb):
    run_topics(ws, emb)
    q = topics.quality_figures(ws)
    assert 0 < q["diversity"] <= 1 and -1 <= q["npmi"] <= 1
    assert tm.make_label(["effect sizes", "effect", "multilevel model", "dependent"]) == \
        "effect sizes / multilevel model / dependent"
    assert tm.topic_diversity([["a", "b"], ["a", "c"]]) == 0.75
    assert tm.npmi_coherence([["alpha", "beta"]], ["alpha beta", "alpha beta", "gamma"]) == \
        pytest.approx(1.0)
    assert tm.npmi_coherence([["alpha", "gamma"]], ["alpha beta", "alpha beta", "gamma"]) == -1.0
    assert json.loads(ws.db.execute("SELECT keywords FROM topics LIMIT 1").fetchone()[0])


def test_code_tokens_never_reach_the_vocabulary():
    stop = frozenset(tm.stop_words())
    text = ("I fit a multilevel model with rma.mv(yi, vi) and res1 on sample_size.\n"
            "> res <- rma.mv(yi, vi, random = ~ 1 | study/id, data=dat)\n"
            "        estimate       se    zval   pval     ci.lb\n"
            "See https://example.org/doku.php?id=x for selModel. Dependent effect sizes!")
    words = set(tm.analyze(tm.clean_doc(text, stop)))
    assert {"multilevel model", "dependent effect", "effect sizes"} <= words
    assert not words & {"res1", "res", "sample_size", "selmodel", "zval", "pval", "doku", "php",
                        "rma", "mv", "yi", "vi", "example", "org"}
    assert not any(any(c.isdigit() or c == "_" for c in w) or len(w) < 3 for w in words)
    # no phrase spans a dropped token or a sentence end
    assert "model dependent" not in words and "sizes see" not in words


def test_labels_prefer_phrases_and_never_repeat_a_word():
    assert tm.make_label(["structure", "sampling errors", "levels", "multivariate model"]) == \
        "structure / sampling errors / multivariate model"
    assert tm.make_label(["funnel", "funnel plot", "egger", "funnel plots", "egger test"]) == \
        "funnel plot / egger test"
    label = tm.make_label(["egger", "egger test", "bias egger", "publication bias", "test"])
    assert label == "egger test / publication bias"
