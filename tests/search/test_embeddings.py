from __future__ import annotations

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

    class Dies(HashingEmbedder):
        def encode(self, texts, batch_size=64):
            if self.calls >= 2:
                raise KeyboardInterrupt
            return super().encode(texts, batch_size)

    dying = Dies(64, name=ws.embedder.name)
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


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x2FF), max_size=60))
def test_token_count_equals_the_regex_count(text):
    # the ASCII fast path and the regex must agree on every text (control characters included)
    assert C._count(text) == len(C._TOKENS.findall(text))
    assert C._count(text.encode("ascii", "ignore").decode()) == len(
        C._TOKENS.findall(text.encode("ascii", "ignore").decode()))
