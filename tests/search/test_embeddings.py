from __future__ import annotations

import gc
import json
import mmap
import shutil

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from miner.nlp import HashingEmbedder
from miner.nlp import chunking as C
from miner.pipeline import run_stages
from miner.stages import embeddings as E
from miner.stages import vectors as V
from miner.workspace import Workspace

from ._ws import ROWS, add_message, make_workspace


class DiesOnThirdEncode(HashingEmbedder):
    """An embedder whose third encode() call is interrupted: a run killed mid-stage."""

    def encode(self, texts, batch_size=64):
        if self.calls >= 2:
            raise KeyboardInterrupt
        return super().encode(texts, batch_size)


@pytest.fixture
def ws(tmp_path):
    w = make_workspace(tmp_path / "ws")
    yield w
    w.close()


def test_hashing_embedder_is_deterministic_and_normalised():
    a, b = HashingEmbedder(32), HashingEmbedder(32)
    va, vb = a.encode(["tax reform now", "", "water"]), b.encode(["tax reform now", "", "water"])
    assert va.dtype == np.float32 and va.shape == (3, 32)
    assert np.array_equal(va, vb)
    assert np.isclose(np.linalg.norm(va[0]), 1.0) and np.linalg.norm(va[1]) == 0.0


def test_chunks_cover_paragraphs_and_carry_the_subject():
    paras = [" ".join(f"w{i}_{j}" for j in range(60)) for i in range(6)]
    text = "\n\n".join(paras)
    chunks = E.chunk_message("Re: [gov-cop] Budget", text, max_tokens=128)
    assert len(chunks) >= 3
    assert chunks[0][2].startswith("Budget\n\n")
    assert all(E.approx_tokens(t) <= 128 for _, _, t in chunks)
    # chunks are in order, within the text, and every paragraph lands in one
    assert [a for a, _, _ in chunks] == sorted(a for a, _, _ in chunks)
    for p in paras:
        assert any(p in text[a:b] for a, b, _ in chunks)


def test_chunk_of_a_single_huge_paragraph_and_of_empty_text():
    chunks = E.chunk_message("", "word " * 2000, max_tokens=64)
    assert len(chunks) == E.MAX_CHUNKS
    assert E.chunk_message("Only a subject", "   ") == [(0, 0, "Only a subject")]
    assert E.chunk_message("", "") == []


def test_stage_embeds_once_and_is_incremental(ws):
    emb = ws.embedder
    report = run_stages(ws, ["embeddings"])["stages"]["embeddings"]
    assert report["embedded_messages"] == len(ROWS) and report["vectors"] == len(ROWS)
    calls = emb.calls
    again = E.run(ws)
    assert again["embedded_messages"] == 0 and emb.calls == calls
    add_message(ws, "m7@x", "New one", "A brand new message about elections.", "t9", 1,
                "2022-01-01T00:00:00+00:00", "gov", "Alice Ngo")
    ws.db.commit()
    third = E.run(ws)
    assert third["embedded_messages"] == 1 and third["vectors"] == len(ROWS) + 1
    keys, X = E.message_vectors(ws)
    assert len(keys) == len(ROWS) + 1 and X.shape == (len(ROWS) + 1, 64)
    assert np.allclose(np.linalg.norm(X, axis=1), 1.0, atol=1e-2)


def test_same_text_is_embedded_once(ws):
    add_message(ws, "dup@x", ROWS[0][1], ROWS[0][2], "t8", 1, "2022-01-01T00:00:00+00:00", "gov",
                "A")
    ws.db.commit()
    report = E.run(ws)
    assert report["texts_cached"] >= 1
    keys, X = E.message_vectors(ws, keys=["dup@x", "m1@x", "missing"])
    assert keys == ["dup@x", "m1@x"]
    assert np.allclose(X[0], X[1])


def test_vectors_are_float16_blobs_not_pickles(ws):
    E.run(ws)
    blob = ws.db.execute("SELECT vector, dim FROM embeddings LIMIT 1").fetchone()
    assert len(blob[0]) == 2 * blob[1]
    assert not blob[0].startswith(b"\x80")  # no pickle protocol header


def test_changed_text_is_re_embedded(ws):
    E.run(ws)
    _, before = E.message_vectors(ws, keys=["m3@x"])
    ws.db.execute("UPDATE messages SET text = 'Entirely different words about fisheries' "
                  "WHERE key = 'm3@x'")
    ws.db.commit()
    assert E.run(ws)["embedded_messages"] == 1
    _, after = E.message_vectors(ws, keys=["m3@x"])
    assert not np.allclose(before, after)


def test_embed_texts_uses_the_cache(ws):
    v1 = E.embed_texts(ws, ["a query about water"])
    calls = ws.embedder.calls
    v2 = E.embed_texts(ws, ["a query about water", "a query about water"])
    assert ws.embedder.calls == calls
    assert np.allclose(v1[0], v2[0], atol=1e-3) and np.allclose(v2[0], v2[1])


def test_progress_reports_done_and_total(ws):
    ticks = []
    E.run(ws, lambda d, t: ticks.append((d, t)))
    assert ticks[0] == (0, ticks[-1][1]) and ticks[-1][0] == ticks[-1][1] > 0


def _matrix_from_db(ws, dim=64):
    """The message matrix computed the plain way (all chunk rows at once), to compare with."""
    rows = ws.db.execute(
        "SELECT m.id, e.vector FROM message_chunks c JOIN messages m ON m.key = c.message_key "
        "JOIN embeddings e ON e.model = c.model AND e.hash = c.hash WHERE c.model = ? "
        "ORDER BY m.id, c.chunk", (ws.embedder.name,)).fetchall()
    ids = sorted({r[0] for r in rows})
    X = np.zeros((len(ids), dim), np.float32)
    for i, blob in rows:
        X[ids.index(i)] += np.frombuffer(blob, dtype="<f2").astype(np.float32)
    return np.array(ids), X / np.linalg.norm(X, axis=1, keepdims=True)


def test_matrix_file_is_memory_mapped_read_only_and_survives_a_new_process(ws):
    E.run(ws)
    V.forget_mapped()  # as in a fresh process
    ids, X = E.load_matrix(ws)
    assert len(ids) == len(ROWS) and X.dtype == np.float32 and X.shape == (len(ROWS), 64)
    base = X
    while isinstance(base, np.ndarray):
        base = base.base
    assert not X.flags.writeable and isinstance(base, mmap.mmap)  # no private copy
    assert (ws.path / "vectors" / f"{ws.embedder.name}.f32.npy").exists()
    want_ids, want = _matrix_from_db(ws)
    assert np.array_equal(ids, want_ids) and np.allclose(X, want, atol=1e-6)
    with pytest.raises(ValueError):
        X[0, 0] = 1.0


def test_matrix_streams_across_batches_and_pages(ws, monkeypatch):
    long = "\n\n".join(" ".join(f"p{i}w{j}" for j in range(120)) for i in range(5))
    for k in range(5):  # several chunks each, so messages straddle fetch batches
        add_message(ws, f"long{k}@x", f"Long {k}", long + f" end{k}", "t7", 1,
                    "2022-01-01T00:00:00+00:00", "gov", "A")
    ws.db.commit()
    monkeypatch.setattr(E, "PAGE", 2)
    monkeypatch.setattr(V, "MATRIX_BATCH", 3)
    report = E.run(ws)  # the stage appends its rows page by page
    assert report["embedded_messages"] == len(ROWS) + 5 and report["chunks"] > len(ROWS) + 10
    ids, X = E.load_matrix(ws)
    want_ids, want = _matrix_from_db(ws)
    assert np.array_equal(ids, want_ids) and np.allclose(X, want, atol=1e-6)
    ids2, X2 = E.load_matrix(ws, rebuild=True)  # streamed from the database, 3 rows a fetch
    assert np.array_equal(ids2, want_ids) and np.array_equal(np.array(X2), np.array(X))


def test_appending_new_messages_gives_the_rebuilt_matrix(ws):
    E.run(ws)
    _, before = E.load_matrix(ws)
    before = np.array(before)
    for k in range(3):
        add_message(ws, f"new{k}@x", f"New {k}", f"Fresh words number {k} about fisheries.",
                    "t9", 1, "2022-01-01T00:00:00+00:00", "gov", "A")
    add_message(ws, "dup2@x", ROWS[1][1], ROWS[1][2], "t9", 1, "2022-01-02T00:00:00+00:00",
                "gov", "A")  # all its chunks are cache hits
    ws.db.commit()
    fx = V.matrix_files(ws, ws.embedder.name)[0]
    inode = fx.stat().st_ino
    report = E.run(ws)
    assert report["embedded_messages"] == 4 and report["vectors"] == len(ROWS) + 4
    assert fx.stat().st_ino == inode  # grown in place, not rebuilt
    ids, X = E.load_matrix(ws)
    assert np.array_equal(np.array(X[:len(ROWS)]), before)
    V.forget_mapped()
    ids2, X2 = E.load_matrix(ws, rebuild=True)
    assert np.array_equal(ids, ids2) and np.array_equal(np.array(X), np.array(X2))
    assert not list(fx.parent.glob(".*tmp"))  # no temporary file left behind


def test_read_only_workspace_maps_a_private_matrix(ws):
    E.run(ws)
    _, want = E.load_matrix(ws)
    want = np.array(want)
    shutil.rmtree(ws.path / "vectors")
    V.forget_mapped()
    ro = Workspace.open(ws.path, readonly=True)
    ro.embedder = ws.embedder
    try:
        ids, X = E.load_matrix(ro)
        assert len(ids) == len(ROWS) and np.allclose(X, want) and not X.flags.writeable
        assert not (ws.path / "vectors").exists()  # nothing written into a read-only workspace
    finally:
        ro.close()


def test_old_float16_matrix_file_is_replaced(ws):
    E.run(ws)
    fx, _, fm = V.matrix_files(ws, ws.embedder.name)
    old = fx.with_name(f"{ws.embedder.name}.f16.npy")
    np.save(old, np.zeros((len(ROWS), 64), "<f2"))
    meta = json.loads(fm.read_text())
    fm.write_text(json.dumps({k: v for k, v in meta.items() if k != "format"}))  # format 1
    V.forget_mapped()
    _, X = E.load_matrix(ws)
    assert not old.exists() and np.allclose(np.linalg.norm(X, axis=1), 1.0, atol=1e-3)


def test_a_killed_run_keeps_the_pages_it_finished(ws, monkeypatch):
    monkeypatch.setattr(E, "PAGE", 2)

    dying = DiesOnThirdEncode(64, name=ws.embedder.name)
    with pytest.raises(KeyboardInterrupt):
        E.run(ws, embedder=dying)
    done = ws.db.execute("SELECT count(DISTINCT message_key) FROM message_chunks").fetchone()[0]
    assert done == 2
    again = E.run(ws)
    assert again["embedded_messages"] == len(ROWS) - 2 and again["vectors"] == len(ROWS)


def test_long_message_chunks_match_the_one_chunk_case_when_short():
    short = "One paragraph.\n\nAnother one, short."
    assert E.chunk_message("Re: S", "  " + short + "\n") == [(2, 2 + len(short), "S\n\n" + short)]
    sentences = " ".join(f"Sentence number {i} is here." for i in range(60))
    chunks = E.chunk_message("", sentences + "\n\nTail paragraph.", max_tokens=64)
    assert len(chunks) > 3 and chunks[-1][2].endswith("Tail paragraph.")
    assert all(E.approx_tokens(t) <= 64 for _, _, t in chunks)
    assert all(t.rstrip().endswith(".") for _, _, t in chunks[:-1])  # cut at sentence ends


def test_unknown_model_name_lists_the_choices():
    from miner.errors import StageError
    from miner.nlp import load_embedder

    with pytest.raises(StageError, match="minilm, static"):
        load_embedder("bert")


# ASCII, Latin-1 (bytes.translate) and beyond (the encode error handler), spaces of every kind
_MIXED = st.one_of(st.characters(max_codepoint=0x2FF),
                   st.sampled_from("\u00a0\u2002\u3000\u2014\u201c\u201d\u2019\u2026\u20ac"
                                   "\u03bb\u4e2d\u00bd\u00b2\u0660\u2167\ud800_\n\t "),
                   st.characters(min_codepoint=0x100, max_codepoint=0x10FFFF))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_MIXED, max_size=60))
def test_token_count_equals_the_regex_count(text):
    # the class-string count and the regex must agree on every text (control characters,
    # lone surrogates, non-Latin-1 spaces and digits included), and on any span of it
    assert C._count(text) == len(C._TOKENS.findall(text))
    ascii_only = text.encode("ascii", "ignore").decode()
    assert C._count(ascii_only) == len(C._TOKENS.findall(ascii_only))
    cls = C._classes(text)
    assert len(cls[0]) == len(cls[1]) == len(text)
    for a in range(0, len(text), 7):
        for b in (a + 3, a + 11, len(text)):
            assert C._span_count(cls, a, b) == len(C._TOKENS.findall(text[a:b])), (a, b)


_WORDS = st.sampled_from(["word", "Über", "x", "é", "data.", "end!", "42", "--", "“q”", "a_b",
                          "λόγος", "中文", "(note)", "etc.", "?"])
_SEPS = st.sampled_from([" ", " ", " ", "\n", "\n\n", "\n \n", "  ", "\t", ". ", "\u00a0"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_WORDS, _SEPS), max_size=120), st.sampled_from(["", "Re: [l] Topic"]),
       st.sampled_from([20, 40, 64, 128]))
def test_one_chunk_shortcut_gives_what_the_paragraph_path_gives(parts, subject, max_tokens):
    # chunk_message counts the whole text once and returns one chunk when it fits; the
    # paragraph-by-paragraph path (the reference) must reach the same chunks on every text
    text = "".join(w + s for w, s in parts)
    subj = C.clean_subject(subject)
    budget = max(16, int(max_tokens * 0.8))
    first = budget - C.approx_tokens(subj) if subj else budget
    want = (C._chunk_paragraphs(subj, text, C._classes(text), budget, first) if text.strip()
            else [(0, 0, subj)] if subj else [])
    assert E.chunk_message(subject, text, max_tokens) == want


def test_unit_means_sum_each_group_in_order_and_normalise():
    rng = np.random.default_rng(3)
    vecs = rng.normal(size=(9, 4)).astype(np.float32)
    vecs[5:7] = 0.0  # a message whose chunks are all zero rows stays a zero row
    starts = np.array([0, 1, 4, 5, 7])
    got = V.unit_means(vecs, starts)
    sums = np.add.reduceat(vecs, starts, axis=0)
    norm = np.linalg.norm(sums, axis=1, keepdims=True)
    assert got.dtype == np.float32 and got.shape == (5, 4)
    assert np.allclose(got, sums / np.where(norm == 0, 1, norm), atol=1e-6)
    assert not got[3].any() and np.allclose(np.linalg.norm(got[[0, 1, 2, 4]], axis=1), 1.0)
    assert V.unit_means(vecs, np.array([], np.int64)).shape == (0, 4)


# --------------------------------------------------------------------------- a model without cache

@pytest.fixture
def ws_nc(tmp_path):
    """The fixture workspace with a fake that, like the static model, keeps no vector cache."""
    w = make_workspace(tmp_path / "nc", embedder=HashingEmbedder(64, cache_vectors=False))
    yield w
    w.close()


def _matrix(ws, **kw):
    ids, X = E.load_matrix(ws, **kw)
    return np.array(ids), np.array(X)


def test_chunk_text_rebuilds_every_chunk_from_its_span():
    long = "\n\n".join(" ".join(f"p{i}w{j}" for j in range(70)) for i in range(4))
    cases = [("Re: [l] Budget", long), ("", long), ("Only a subject", "  "), ("S", " short \n"),
             ("Re:", "text without a subject left")]
    for subject, text in cases:
        chunks = C.chunk_message(subject, text, 64)
        assert chunks
        for j, (a, b, t) in enumerate(chunks):
            assert C.chunk_text(subject, text, j, a, b) == t, (subject, j)


def test_model_without_cache_stores_no_vectors_and_matches_the_cached_model(ws, ws_nc):
    report = E.run(ws_nc)
    assert report["embedded_messages"] == len(ROWS) == report["vectors"]
    assert ws_nc.db.execute("SELECT count(*) FROM embeddings").fetchone()[0] == 0
    assert ws_nc.db.execute("SELECT count(*) FROM message_chunks").fetchone()[0] >= len(ROWS)
    E.run(ws)  # the same fake with its cache: the same vectors, bit for bit
    ids, X = _matrix(ws_nc)
    want_ids, want = _matrix(ws)
    assert np.array_equal(ids, want_ids) and np.array_equal(X, want)
    q = ["a query about water", "youth turnout", "a query about water"]
    assert np.array_equal(E.embed_texts(ws_nc, q), E.embed_texts(ws, q))
    assert ws_nc.db.execute("SELECT count(*) FROM embeddings").fetchone()[0] == 0
    V.forget_mapped()  # a rebuild encodes the stored chunk spans again: the same rows
    ids2, X2 = _matrix(ws_nc, rebuild=True)
    assert np.array_equal(ids2, ids) and np.array_equal(X2, X)


def test_model_without_cache_is_incremental_and_re_embeds_changed_text(ws_nc, monkeypatch):
    monkeypatch.setattr(E, "PAGE", 2)
    E.run(ws_nc)
    calls = ws_nc.embedder.calls
    assert E.run(ws_nc)["embedded_messages"] == 0 and ws_nc.embedder.calls == calls
    add_message(ws_nc, "n1@x", "New", "Brand new words about fisheries.", "t9", 1,
                "2022-01-01T00:00:00+00:00", "gov", "A")
    ws_nc.db.commit()
    assert E.run(ws_nc)["embedded_messages"] == 1
    assert ws_nc.embedder.calls == calls + 1  # the new message's one chunk, nothing else
    _, before = E.message_vectors(ws_nc, keys=["m3@x"])
    ws_nc.db.execute("UPDATE messages SET text = 'Entirely different words' WHERE key = 'm3@x'")
    ws_nc.db.commit()
    calls = ws_nc.embedder.calls
    fx = V.matrix_files(ws_nc, ws_nc.embedder.name)[0]
    inode = fx.stat().st_ino
    assert E.run(ws_nc)["embedded_messages"] == 1
    assert ws_nc.embedder.calls == calls + 1  # the changed row is merged in: no re-encode
    assert fx.stat().st_ino != inode  # (a new file: rows inside it changed)
    _, after = E.message_vectors(ws_nc, keys=["m3@x"])
    assert not np.allclose(before, after)
    ids, X = _matrix(ws_nc)
    V.forget_mapped()
    ids2, X2 = _matrix(ws_nc, rebuild=True)
    assert len(ids) == len(ROWS) + 1 and np.array_equal(ids, ids2) and np.array_equal(X, X2)


def test_model_without_cache_killed_then_rerun_gives_the_same_vectors(ws_nc, tmp_path,
                                                                      monkeypatch):
    monkeypatch.setattr(E, "PAGE", 2)

    with pytest.raises(KeyboardInterrupt):
        E.run(ws_nc, embedder=DiesOnThirdEncode(64, name=ws_nc.embedder.name,
                                                cache_vectors=False))
    assert ws_nc.db.execute("SELECT count(DISTINCT message_key) FROM message_chunks"
                            ).fetchone()[0] == 2
    again = E.run(ws_nc)
    assert again["embedded_messages"] == len(ROWS) - 2 and again["vectors"] == len(ROWS)
    ref = make_workspace(tmp_path / "ref", embedder=HashingEmbedder(64, cache_vectors=False))
    try:
        E.run(ref)
        ids, X = _matrix(ws_nc)
        want_ids, want = _matrix(ref)
        assert np.array_equal(X, want) and len(ids) == len(want_ids)
    finally:
        ref.close()


def test_another_models_run_does_not_make_the_matrix_stale(ws_nc):
    E.run(ws_nc)
    fx, _, fm = V.matrix_files(ws_nc, ws_nc.embedder.name)
    inode, stamp = fx.stat().st_ino, json.loads(fm.read_text())["stamp"]
    E.run(ws_nc, embedder=HashingEmbedder(32))  # adds chunk rows of another model
    assert V._stamp(ws_nc.db) > stamp
    V.forget_mapped()
    calls = ws_nc.embedder.calls
    ids, X = _matrix(ws_nc)
    assert len(ids) == len(ROWS) and ws_nc.embedder.calls == calls  # nothing re-encoded
    assert fx.stat().st_ino == inode and json.loads(fm.read_text())["stamp"] == V._stamp(ws_nc.db)
    ws_nc.db.execute("UPDATE messages SET text = 'Other words now' WHERE key = 'm2@x'")
    ws_nc.db.commit()
    E.run(ws_nc)  # this model's own new chunk rows do make it stale (and it is rebuilt)
    V.forget_mapped()
    assert not np.array_equal(_matrix(ws_nc)[1], X)


@pytest.mark.parametrize("cache", [True, False])
def test_a_run_killed_after_the_matrix_existed_is_repaired_not_rebuilt(tmp_path, monkeypatch,
                                                                       cache):
    monkeypatch.setattr(E, "PAGE", 2)
    extra = [(f"x{k}@x", f"Extra {k}", f"Extra words {k} about roads and bridges.", "t9", 1,
              "2022-01-01T00:00:00+00:00", "gov", "A") for k in range(5)]
    ws = make_workspace(tmp_path / "ws", embedder=HashingEmbedder(64, cache_vectors=cache))
    ref = make_workspace(tmp_path / "ref", ROWS + extra,
                         embedder=HashingEmbedder(64, cache_vectors=cache))
    try:
        E.run(ws)
        for r in extra:
            add_message(ws, *r)
        ws.db.execute("UPDATE messages SET text = 'Changed words' WHERE key = 'm2@x'")
        ref.db.execute("UPDATE messages SET text = 'Changed words' WHERE key = 'm2@x'")
        ws.db.commit()
        ref.db.commit()

        with pytest.raises(KeyboardInterrupt):  # m2 and x0 were chunked and committed
            E.run(ws, embedder=DiesOnThirdEncode(64, name=ws.embedder.name, cache_vectors=cache))
        assert gc.isenabled()
        calls = ws.embedder.calls
        again = E.run(ws)
        assert again["vectors"] == len(ROWS) + 5
        if not cache:  # only the killed run's messages and the rest are encoded again
            assert ws.embedder.calls - calls == again["texts_encoded"] < len(ROWS) + 5
        E.run(ref)
        ids, X = _matrix(ws)
        want_ids, want = _matrix(ref)
        assert np.array_equal(X, want) and len(ids) == len(want_ids)
        V.forget_mapped()
        ids2, X2 = _matrix(ws, rebuild=True)
        assert np.array_equal(ids2, ids) and np.array_equal(X2, X)
    finally:
        ws.close()
        ref.close()
