"""The keyword index built in runs spilled to disk and merged equals the one-pass build."""
from __future__ import annotations

import math
import os
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from miner.stages.search import postings as P
from miner.stages.search import postings_build as B

WORDS = ["alpha", "beta", "gamma", "delta", "épsilon", "zeta", "eta", "theta", "iota", "kappa",
         "lambda", "mu", "Ünïcödé", "x1", "42"]


def _rows(n: int = 300, start: int = 1) -> list[tuple[int, str, str]]:
    """Varied messages: shared and rare words, subject-only words, repeats, empty texts."""
    out = []
    for i in range(start, start + n):
        subject = "" if i % 9 == 0 else f"Re: {WORDS[i % 7]} subj{i % 5}"
        words = [WORDS[(i * k) % len(WORDS)] for k in range(1, 2 + i % 11)]
        text = "" if i % 13 == 0 else " ".join(words + [f"rare{i}", f"w{i % 31}"] * (1 + i % 3))
        out.append((i, subject, text))
    return out


def _same(a: P.Segment, b: P.Segment) -> None:
    assert a.names == b.names
    for name in ("offsets", "docs", "tf_subject", "tf_text"):
        x, y = np.asarray(getattr(a, name)), np.asarray(getattr(b, name))
        assert x.dtype == y.dtype and np.array_equal(x, y), name


@pytest.mark.parametrize("n, run, merge", [
    (300, 500, 10**9),  # 6 runs, one merge pass
    (300, 500, 300),  # several passes of many terms
    (300, 300, 100),  # and terms with more postings than a pass, copied run by run
    (30, 1, 3),  # a run per message, a pass per term or two
])
def test_spilled_runs_merge_into_the_one_pass_segment(tmp_path, n, run, merge):
    rows = _rows(n)
    one, ids1, lens1 = B.build_segment(rows)
    out = tmp_path / "seg"
    many, ids2, lens2 = B.build_segment(rows, out, run_postings=run, merge_postings=merge)
    assert out.is_dir() and not list(tmp_path.glob("*.runs.tmp"))  # runs removed after merge
    _same(one, many)
    assert np.array_equal(ids1, ids2) and np.array_equal(lens1, lens2)
    P._save_segment(tmp_path / "mem", one)  # the files are the ones the one-pass build saves
    for f in sorted((tmp_path / "mem").iterdir()):
        assert f.read_bytes() == (out / f.name).read_bytes(), f.name


def test_spilled_build_without_a_folder_leaves_no_files(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seg, ids, _ = B.build_segment(_rows(), run_postings=300, merge_postings=250)
    assert list(tmp_path.iterdir()) == []  # runs and segment files removed, arrays still mapped
    _same(seg, B.build_segment(_rows())[0])
    assert len(ids) == 300


def test_term_counts_are_capped_in_every_path(tmp_path):
    rows = [(1, "big", "big " * 70_000 + "small"), (2, "x", "small big")]
    for seg in (B.build_segment(rows)[0],
                B.build_segment(rows, tmp_path / "s", run_postings=1, merge_postings=1)[0]):
        docs, ts, tt = seg.postings("big")
        assert docs.tolist() == [1, 2] and tt.tolist() == [65535, 1] and ts.tolist() == [1, 0]


def _reference_bm25(rows, query: list[str]) -> dict[int, float]:
    """FTS5's bm25() written out from its definition, independently of the index."""
    docs = {i: (Counter(P.tokenize(s)), Counter(P.tokenize(t))) for i, s, t in rows}
    lens = {i: sum(cs.values()) + sum(ct.values()) for i, (cs, ct) in docs.items()}
    n, avgdl = len(docs), sum(lens.values()) / len(docs)
    out: dict[int, float] = {}
    for w in query:
        has = [i for i, (cs, ct) in docs.items() if cs[w] or ct[w]]
        idf = math.log((n - len(has) + 0.5) / (len(has) + 0.5))
        idf = idf if idf > 0 else 1e-6
        for i in has:
            tf = docs[i][0][w] + docs[i][1][w]
            out[i] = out.get(i, 0.0) + idf * tf * (P.K1 + 1) / (
                tf + P.K1 * (1 - P.B + P.B * lens[i] / avgdl))
    return out


@pytest.mark.parametrize("query", [["alpha"], ["gamma", "rare7"], ["épsilon", "subj3", "w4"],
                                   ["ünïcödé", "42", "x1"]])
def test_scores_of_the_spilled_index_equal_bm25(tmp_path, query):
    rows = _rows()
    ref = _reference_bm25(rows, [P.tokenize(q)[0] for q in query])
    for seg, ids, lens in (B.build_segment(rows),
                           B.build_segment(rows, tmp_path / "s", run_postings=400,
                                           merge_postings=200)):
        lengths = np.zeros(int(ids[-1]) + 1, dtype=np.float32)
        lengths[ids] = lens
        idx = P.KeywordIndex([seg], lengths, len(ids), int(ids[-1]), "x")
        got_ids, got = idx.scores([[P.tokenize(q)[0]] for q in query])
        assert sorted(ref) == got_ids.tolist()
        assert np.allclose(got, [ref[i] for i in got_ids.tolist()], rtol=1e-5)


def _workspace(tmp_path: Path, n: int):
    from ._ws import add_message, make_workspace

    w = make_workspace(tmp_path / "kw", [])
    with w.db:
        for i, s, t in _rows(n):
            add_message(w, f"k{i}@x", s, t, f"t{i}", 1, "2020-01-01T00:00:00+00:00", "a", "A")
    return w


def test_update_spills_merges_in_place_and_extends(tmp_path, monkeypatch):
    """A workspace index built and extended in tiny runs answers as the one-pass build, and
    leaves only its segments, lengths and meta in the folder."""
    from miner.stages.search import keyword as K

    from ._ws import add_message

    monkeypatch.setattr(B, "RUN_POSTINGS", 300)
    monkeypatch.setattr(B, "MERGE_POSTINGS", 200)
    merges = []
    merge = B._merge
    monkeypatch.setattr(B, "_merge", lambda *a: merges.append(a[1]) or merge(*a))
    w = _workspace(tmp_path, 200)
    K._INDEX.clear()
    assert K.update_keyword_index(w)["done"] == "rebuilt"
    with w.db:
        for i, s, t in _rows(60, start=500):
            add_message(w, f"k{i}@x", s, t, f"t{i}", 1, "2020-01-01T00:00:00+00:00", "a", "A")
    assert K.update_keyword_index(w)["done"] == "added 60"
    assert len(merges) == 2  # both segments were spilled and merged, then moved into place
    root = K.index_dir(w.db)
    assert sorted(p.name for p in root.iterdir() if ".tmp" in p.name) == []
    assert len([p for p in root.iterdir() if p.name.startswith("seg-")]) == 2
    K._INDEX.clear()
    spilled = K.keyword_index(w.db)  # reloaded from the files
    conn = w.db
    one = B.build_segment(conn.execute("SELECT id, subject, text FROM messages ORDER BY id"))
    assert spilled.count == len(one[1]) == 260
    for q in (["alpha"], ["rare505", "gamma"], ["subj2", "w7", "épsilon"]):
        lengths = np.zeros(int(one[1][-1]) + 1, dtype=np.float32)
        lengths[one[1]] = one[2]
        ref = P.KeywordIndex([one[0]], lengths, len(one[1]), int(one[1][-1]), "x")
        a, b = spilled.scores([[t] for t in q]), ref.scores([[t] for t in q])
        assert np.array_equal(a[0], b[0]) and np.allclose(a[1], b[1], rtol=1e-6)
    K._INDEX.clear()
    w.close()


def test_saving_removes_the_work_files_of_dead_builds_only(tmp_path):
    root = tmp_path / "keyword"
    root.mkdir()
    dead = root / "seg.tmp999999999-1.runs.tmp"  # no such process
    alive = root / f"seg.tmp{os.getpid()}-1"
    for d in (dead, alive):
        d.mkdir()
    seg, ids, lens = B.build_segment(_rows(10))
    lengths = np.zeros(int(ids[-1]) + 1, dtype=np.float32)
    lengths[ids] = lens
    P.save(P.KeywordIndex([seg], lengths, 10, int(ids[-1]), "10:abc"), root, [])
    assert not dead.exists() and alive.exists()


def test_terms_are_found_by_bisection_at_both_ends_and_between():
    seg = B.build_segment([(1, "b d", "f"), (2, "", "d f h")])[0]
    assert seg.names == ["b", "d", "f", "h"]
    assert [seg.postings(w)[0].tolist() for w in seg.names] == [[1], [1, 2], [1, 2], [2]]
    assert all(seg.postings(w) is None for w in ("a", "c", "e", "g", "i", ""))


def test_a_deleted_message_forces_a_rebuild_even_with_new_ones(tmp_path):
    """Deletions are seen by counts (all rows minus the new ones), not only by the top id."""
    from miner.stages.search import keyword as K

    from ._ws import add_message

    w = _workspace(tmp_path, 50)
    K._INDEX.clear()
    assert K.update_keyword_index(w)["done"] == "rebuilt"
    with w.db:
        w.db.execute("DELETE FROM messages WHERE key = 'k7@x'")
        add_message(w, "new@x", "zebra", "zebra", "tz", 1, "2020-01-01T00:00:00+00:00", "a", "A")
    K._INDEX.clear()  # a new process: decided from the saved meta, before loading anything
    assert K.update_keyword_index(w)["done"] == "rebuilt"
    idx = K.keyword_index(w.db)
    assert (idx.count, idx.df("rare7"), idx.df("rare8"), idx.df("zebra")) == (50, 0, 1, 1)
    assert K.update_keyword_index(w)["done"] == "current"
    K._INDEX.clear()
    w.close()
