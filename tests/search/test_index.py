"""The persistent, incremental ANN index (hnswlib) and filtered queries on it (hashing fake)."""
from __future__ import annotations

import numpy as np
import pytest

from miner.stages import embeddings as E
from miner.stages import search as S
from miner.stages.search import index as I

from ._ws import ROWS, add_message, make_workspace

QUERIES = ["youth turnout elections", "budget portal software", "rural water sanitation",
           "dependent effect sizes", "civic education in schools"]


def _rows(n: int, start: int = 0):
    return [(f"k{i}@x", f"subject {i % 17}", f"text {i} about {ROWS[i % 6][2]} word{i % 23}",
             f"t{i % 40}", 1 + i % 3, f"20{10 + i % 12}-01-{1 + i % 28:02d}T00:00:00+00:00",
             "a" if i % 4 else "b", "A") for i in range(start, start + n)]


@pytest.fixture
def ws(tmp_path):
    w = make_workspace(tmp_path / "ann", _rows(400))
    E.run(w)
    w.config.set("ann_threshold", 10)
    I._ANN.clear()
    yield w
    I._ANN.clear()
    w.close()


def _exact(w, q, **kw):
    old = w.config["ann_threshold"]
    w.config.set("ann_threshold", 10**9)
    try:
        return [h.message_id for h in S.search(w, q, mode="semantic", k=10, **kw)]
    finally:
        w.config.set("ann_threshold", old)


def _approx(w, q, **kw):
    return [h.message_id for h in S.search(w, q, mode="semantic", k=10, **kw)]


def test_ann_agrees_with_exact(ws):
    """The same top-10 cosines (the fake's near-duplicate texts tie, so ids may swap)."""
    for q in QUERIES:
        old = ws.config["ann_threshold"]
        ws.config.set("ann_threshold", 10**9)
        exact = [h.score for h in S.search(ws, q, mode="semantic", k=10)]
        ws.config.set("ann_threshold", old)
        approx = [h.score for h in S.search(ws, q, mode="semantic", k=10)]
        assert np.allclose(exact, approx, atol=1e-4), (q, exact, approx)
    assert (ws.path / "vectors" / f"{ws.embedder.name}.hnsw").exists()


def test_update_index_builds_only_above_the_threshold(ws):
    ws.config.set("ann_threshold", 10_000)
    rep = S.update_index(ws)
    assert rep["vectors"] == {"index": "exact", "vectors": 400, "ann_threshold": 10_000}
    assert not (ws.path / "vectors" / f"{ws.embedder.name}.hnsw").exists()
    ws.config.set("ann_threshold", 10)
    rep = S.update_index(ws)["vectors"]
    assert rep["index"] == "hnswlib" and rep["done"] == "built" and rep["added"] == 400
    assert (ws.path / "vectors" / f"{ws.embedder.name}.hnsw").exists()


class _NoBuild:
    """hnswlib with ``init_index`` forbidden: proves an update is not a rebuild."""

    def __init__(self):
        import hnswlib

        class Index(hnswlib.Index):
            def init_index(self, *a, **kw):
                raise AssertionError("the index was rebuilt instead of updated")

        self.Index = Index


def test_incremental_update_adds_new_vectors_without_rebuild(ws, monkeypatch):
    assert S.update_index(ws)["vectors"]["done"] == "built"
    I._ANN.clear()  # a new process: the saved index is loaded, not built
    monkeypatch.setattr(I, "_hnswlib", _NoBuild)
    assert S.update_index(ws)["vectors"]["done"] == "current"
    with ws.db:
        for r in _rows(30, start=400):
            add_message(ws, *r)
        add_message(ws, "new@x", "Zebra crossings", "zebra crossings and pedestrian safety "
                    "near schools", "tz", 1, "2024-01-01T00:00:00+00:00", "a", "A")
    rep = E.run(ws)["search_index"]["vectors"]  # the stage ends by updating the indexes
    assert rep["done"] == "updated" and rep["added"] == 31 and rep["vectors"] == 431
    assert _approx(ws, "zebra crossings pedestrian safety")[0] == "new@x"
    I._ANN.clear()  # the update was saved: a new process sees all 431 without adding any
    assert S.update_index(ws)["vectors"]["done"] == "current"
    assert len(S.ann_index(ws, ws.embedder, *E.load_matrix(ws, ws.embedder)).get_ids_list()) == 431


def test_query_path_updates_a_stale_index_lazily(ws, monkeypatch):
    S.update_index(ws)
    monkeypatch.setattr(S, "update_index", lambda ws, emb=None: {})  # the stage's hook skipped
    with ws.db:
        add_message(ws, "late@x", "Zebra crossings", "zebra crossings and pedestrian safety",
                    "tz", 1, "2024-01-01T00:00:00+00:00", "a", "A")
    E.run(ws)  # no update_index call: the search must still see the new message
    assert _approx(ws, "zebra crossings pedestrian safety")[0] == "late@x"


def test_deleted_messages_are_marked_deleted(ws):
    S.update_index(ws)
    victim = _approx(ws, QUERIES[0])[0]
    with ws.db:
        ws.db.execute("DELETE FROM messages WHERE key = ?", (victim,))
    E.load_matrix(ws, ws.embedder, rebuild=True)
    rep = S.update_index(ws)["vectors"]
    assert rep["deleted"] == 1
    assert victim not in _approx(ws, QUERIES[0])


def test_persisted_index_is_reloaded_with_the_same_results(ws):
    before = {q: _approx(ws, q) for q in QUERIES}
    I._ANN.clear()
    assert S.update_index(ws)["vectors"]["done"] == "current"
    assert {q: _approx(ws, q) for q in QUERIES} == before


@pytest.mark.parametrize("exact_rows", [0, 10**6])
def test_filtered_ann_results_all_satisfy_the_filter(ws, monkeypatch, exact_rows):
    """Over-fetch (wide filter), the hnswlib filter callback (narrow filter) and the exact
    fallback all return only allowed messages, and mostly the exact filtered answer."""
    monkeypatch.setattr(I, "EXACT_FILTER_ROWS", exact_rows)
    lists = dict(ws.db.execute("SELECT message_id, list FROM messages"))
    dates = dict(ws.db.execute("SELECT message_id, date FROM messages"))
    overlap = []
    for q in QUERIES:
        for kw, ok in (({"list_name": "a"}, lambda m: lists[m] == "a"),  # 3/4 of the messages
                       ({"list_name": "b"}, lambda m: lists[m] == "b"),  # 1/4
                       ({"since": "2021", "until": "2021"}, lambda m: dates[m].startswith("2021"))):
            got = _approx(ws, q, **kw)
            assert got and all(ok(m) for m in got), (q, kw, got)
            overlap.append(len(set(got) & set(_exact(ws, q, **kw))) / len(got))
    assert np.mean(overlap) >= 0.9


def test_filter_callback_path(ws, monkeypatch):
    """A filter too narrow for over-fetching uses hnswlib's filter callback."""
    monkeypatch.setattr(I, "EXACT_FILTER_ROWS", 0)
    monkeypatch.setattr(I, "MAX_OVERFETCH", 1)
    got = _approx(ws, QUERIES[1], list_name="b")
    lists = dict(ws.db.execute("SELECT message_id, list FROM messages"))
    assert len(got) == 10 and all(lists[m] == "b" for m in got)
