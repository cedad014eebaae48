"""Stage ``embeddings``: one vector per message, from the author's new text only.

Each message's new text is cut into chunks (paragraphs merged up to about ``max_seq_length``
tokens; the subject, without ``Re:`` and list tags, is prepended to the first chunk). Every chunk
text is embedded once ever: vectors are cached in ``embeddings`` keyed by (model name, sha1 of the
text), so re-running, re-ingesting or sharing a sentence between messages costs nothing. A
message's vector is the L2-normalised mean of its chunk vectors.

The public API the other stages use::

    emb = get_embedder(ws)                      # the configured model (minilm or static)
    keys, X = message_vectors(ws)               # float32, one unit row per embedded message
    Q = embed_texts(ws, ["a query"])            # same cache, same model

Tests and other engineers' fixtures inject a fake model with ``ws.embedder = HashingEmbedder()``
(see :mod:`miner.nlp.embedders`); every function here then uses it.

For search, the message vectors are also kept as a float32 matrix file in
``<workspace>/vectors/`` (rebuilt when the chunks change), which is memory-mapped at query time.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import re
import shutil
import sqlite3
import struct
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np

from miner.config import Config
from miner.errors import StageError

log = logging.getLogger(__name__)

REQUIRES: tuple[str, ...] = ()
WRITES = ("embeddings", "message_chunks")

MAX_CHUNKS = 16  # a message longer than this many chunks (log dumps) keeps its first ones
# Messages read per page: one encode() call per page (sentence-transformers sorts a call's texts
# by length, so bigger calls pad less; 2,048 messages are ~2,500 texts, a few MB of text).
PAGE = 2048
MATRIX_BATCH = 8192  # chunk vectors fetched at a time when the message matrix is built
COMMIT_EVERY = 30.0  # seconds between commits of new vectors (a killed run keeps what it did)


# --------------------------------------------------------------------------- the model

def get_embedder(ws_or_config, *, model: str | None = None):
    """The embedder a workspace (or a :class:`Config`) is configured for.

    A workspace with an ``embedder`` attribute (a fake set by tests) uses that instead."""
    injected = getattr(ws_or_config, "embedder", None)
    if injected is not None:
        return injected
    cfg: Config = ws_or_config if isinstance(ws_or_config, Config) else ws_or_config.config
    from miner.nlp.embedders import load_embedder

    return load_embedder(model or cfg.embedding_model, device=cfg["device"],
                         precision=cfg["precision"], max_seq_length=cfg["max_seq_length"])


def model_name(ws) -> str:
    """The cache name of the workspace's embedder, without loading it.

    When the configured model has no vectors yet but another model does (``miner analyze
    --mode fast`` was run once), that other model is used, so search works either way."""
    injected = getattr(ws, "embedder", None)
    if injected is not None:
        return injected.name
    from miner.nlp.embedders import MINILM_NAME, STATIC_NAME

    names = {"minilm": MINILM_NAME, "static": STATIC_NAME}
    wanted = names[ws.config.embedding_model]
    has = lambda m: ws.db.execute(
        "SELECT 1 FROM message_chunks WHERE model = ? LIMIT 1", (m,)).fetchone() is not None
    if has(wanted):
        return wanted
    for other in names.values():
        if other != wanted and has(other):
            return other
    return wanted


def embedder_for_search(ws):
    """The embedder whose vectors search should use (see :func:`model_name`), or None when no
    message is embedded yet (no model is loaded then)."""
    injected = getattr(ws, "embedder", None)
    name = model_name(ws)
    if not ws.db.execute("SELECT 1 FROM message_chunks WHERE model = ? LIMIT 1",
                         (name,)).fetchone():
        return None
    if injected is not None:
        return injected
    from miner.nlp.embedders import MINILM_NAME

    return get_embedder(ws, model="minilm" if name == MINILM_NAME else "static")


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def to_blob(v: np.ndarray) -> bytes:
    return np.asarray(v, dtype="<f2").tobytes()


def from_blobs(blobs: Sequence[bytes], dim: int) -> np.ndarray:
    if not blobs:
        return np.zeros((0, dim), dtype=np.float32)
    return np.frombuffer(b"".join(blobs), dtype="<f2").reshape(len(blobs), dim).astype(np.float32)


# --------------------------------------------------------------------------- chunking

_SUBJECT_NOISE = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|sv|tr|antw)\s*(?:\[\d+\])?\s*:\s*|\[[^\]]{1,40}\]\s*)+",
                            re.IGNORECASE)
_TOKENS = re.compile(r"\w+|[^\w\s]", re.UNICODE)
_PARA_BREAK = re.compile(r"\n[ \t]*\n\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n")


def clean_subject(subject: str) -> str:
    """The subject without ``Re:``/``Fwd:`` prefixes and ``[list]`` tags."""
    return _SUBJECT_NOISE.sub("", subject or "").strip()


def approx_tokens(text: str) -> int:
    """Rough wordpiece count (words and punctuation, plus a quarter for split words)."""
    return _approx(_count(text))


# ASCII text is counted with bytes.translate (C loops, ~3.5x faster than the regex): tokens are
# the runs of word characters plus each other non-space character, as ``_TOKENS`` finds them.
_ASCII_SPACE = bytes(c for c in range(128) if chr(c).isspace())  # what ``\s`` matches in str
_ASCII_WORD = bytes(c for c in range(128) if chr(c).isalnum() or chr(c) == "_")
_ASCII_OTHER = bytes(c for c in range(128) if c not in _ASCII_SPACE and c not in _ASCII_WORD)
_TO_BLANK = bytes.maketrans(_ASCII_OTHER + _ASCII_SPACE, b" " * (128 - len(_ASCII_WORD)))


def _count(text: str) -> int:
    """``len(_TOKENS.findall(text))``, computed faster."""
    if text.isascii():
        b = text.encode("ascii")
        # bytes.split() splits on ASCII whitespace only, so every \s was mapped to a space
        return len(b) - len(b.translate(None, _ASCII_OTHER)) + len(b.translate(_TO_BLANK).split())
    return _TOKENS.subn("", text)[1]  # without building a list of strings


def _surely_over(text: str, budget: int) -> bool:
    """True when ``text`` is certainly over ``budget`` estimated tokens, from a lower bound of
    its count (each whitespace-separated word holds one token or more). Only tried on texts long
    enough to be over (~4 characters a token is short for prose): a split is about 6x cheaper
    than counting, so a long text skips a counting pass that could only say no."""
    return len(text) > 4 * budget and _approx(len(text.split())) > budget


def _approx(n: int) -> int:
    return int(n * 1.25) + 1


def _pieces(text: str, start: int, end: int, budget: int) -> list[tuple[int, int, int]]:
    """``(start, end, raw token count)`` pieces of ``text[start:end]`` under ``budget``, cut at
    sentence ends (else at spaces). Counts are summed, never recounted: pieces meet at
    whitespace, so the count of a join is the sum of the counts (linear in the text)."""
    if not _surely_over(text[start:end], budget):
        whole = _count(text[start:end])
        if _approx(whole) <= budget:  # the usual case: the paragraph fits
            return [(start, end, whole)]
    cuts = [start] + [m.end() for m in _SENTENCE_END.finditer(text, start, end)] + [end]
    pieces: list[tuple[int, int, int]] = []
    s, n_s = start, 0
    for a, b in itertools.pairwise(cuts):
        c = _count(text[a:b]) if b > a else 0
        if _approx(n_s + c) > budget and a > s:
            pieces.append((s, a, n_s))
            s, n_s = a, c
        else:
            n_s += c
    pieces.append((s, end, n_s))
    out = []
    for a, b, n in pieces:  # a single sentence still too long: cut by words
        if _approx(n) <= budget:
            out.append((a, b, n))
            continue
        words = [m.start() + a for m in re.finditer(r"\S+", text[a:b])]
        step = max(1, int(budget / 1.4))
        for i in range(0, len(words), step):
            e = words[i + step] if i + step < len(words) else b
            out.append((words[i], e, _count(text[words[i]:e])))
    return out


def _split_long(text: str, start: int, end: int, budget: int) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` at sentence ends (else at spaces) into pieces under ``budget``."""
    return [(a, b) for a, b, _ in _pieces(text, start, end, budget)]


def chunk_message(subject: str, text: str, max_tokens: int = 256) -> list[tuple[int, int, str]]:
    """``(start, end, text_to_embed)`` per chunk of a message's new text.

    Paragraphs are merged greedily up to ~80 % of ``max_tokens`` (the token count is estimated);
    the cleaned subject is prepended to the first chunk. A message with no new text gives one
    chunk of its subject alone, and none when both are empty."""
    subj = clean_subject(subject)
    budget = max(16, int(max_tokens * 0.8))
    first_budget = budget - approx_tokens(subj) if subj else budget
    # Each paragraph is counted once (a long one by sentences instead); the counts add up, as
    # pieces meet at whitespace, so the whole text is never counted again to see if it fits.
    spans: list[tuple[int, int, int]] = []
    pos = 0
    for m in itertools.chain(_PARA_BREAK.finditer(text), (None,)):
        a, b = pos, (m.start() if m else len(text))
        pos = m.end() if m else pos
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            spans.extend(_pieces(text, a, b, budget))
    if spans and _approx(sum(n for _, _, n in spans)) <= first_budget:  # the usual case
        a, b = spans[0][0], spans[-1][1]
        return [(a, b, f"{subj}\n\n{text[a:b]}" if subj else text[a:b])]
    chunks: list[tuple[int, int]] = []
    cur: tuple[int, int, int] | None = None
    for a, b, n in spans:
        if cur is None:
            cur = (a, b, n)
            continue
        limit = first_budget if not chunks else budget
        if _approx(cur[2] + n) <= limit:
            cur = (cur[0], b, cur[2] + n)
        else:
            chunks.append(cur[:2])
            cur = (a, b, n)
        if len(chunks) >= MAX_CHUNKS:
            break
    if cur is not None:
        chunks.append(cur[:2])
    chunks = chunks[:MAX_CHUNKS]
    out = [(a, b, text[a:b]) for a, b in chunks]
    if out:
        a, b, t = out[0]
        out[0] = (a, b, f"{subj}\n\n{t}" if subj else t)
    elif subj:
        out = [(0, 0, subj)]
    return out


# --------------------------------------------------------------------------- the text cache

def _cached(conn: sqlite3.Connection, model: str, hashes: Sequence[str], *,
            vectors: bool = True) -> dict[str, bytes] | set[str]:
    """The cached vectors of ``hashes`` (``{hash: blob}``), or with ``vectors=False`` just which
    hashes are cached (no BLOB is read)."""
    found: dict[str, bytes] = {}
    hashes = list(dict.fromkeys(hashes))
    col = "vector" if vectors else "NULL"
    for i in range(0, len(hashes), 500):
        part = hashes[i:i + 500]
        q = ",".join("?" * len(part))
        found.update(conn.execute(
            f"SELECT hash, {col} FROM embeddings WHERE model = ? AND hash IN ({q})",
            [model, *part]))
    return found if vectors else set(found)


def embed_texts(ws, texts: list[str], *, embedder=None, store: bool = True) -> np.ndarray:
    """Unit vectors of ``texts`` with the workspace's model, through the content-hash cache.

    New vectors are written to the cache unless ``store`` is false or the workspace is
    read-only."""
    emb = embedder or get_embedder(ws)
    if not texts:
        return np.zeros((0, emb.dim), dtype=np.float32)
    hashes = [text_hash(t) for t in texts]
    have = _cached(ws.db, emb.name, hashes)
    missing = list(dict.fromkeys(h for h in hashes if h not in have))
    if missing:
        by_hash = dict(zip(hashes, texts))
        vecs = emb.encode([by_hash[h] for h in missing], batch_size=ws.config["batch_size"])
        for h, v in zip(missing, vecs):
            have[h] = to_blob(v)
        if store and not ws.readonly:
            try:
                with ws.db:
                    ws.db.executemany(
                        "INSERT OR IGNORE INTO embeddings(model, hash, dim, vector) VALUES (?,?,?,?)",
                        [(emb.name, h, emb.dim, have[h]) for h in missing])
            except sqlite3.OperationalError as e:  # read-only file, locked: the cache is optional
                log.debug("embedding cache not written: %s", e)
    return from_blobs([have[h] for h in hashes], emb.dim)


# --------------------------------------------------------------------------- the stage

_TO_EMBED_ESTIMATE = (
    "SELECT max(0, (SELECT count(*) FROM messages) - "
    "(SELECT count(*) FROM message_chunks WHERE model = ? AND chunk = 0))")
# One page of messages in id order, with the source hash their chunks were made from (if any).
_PAGE = ("SELECT m.id, m.key, m.subject, m.text, c.source_hash FROM messages m "
         "LEFT JOIN message_chunks c ON c.message_key = m.key AND c.model = ? AND c.chunk = 0 "
         "WHERE m.id > ? ORDER BY m.id LIMIT ?")


def run(ws, progress: Callable[[int, int], None] | None = None, *, embedder=None) -> dict:
    """Embed every message not embedded yet (or whose subject or new text changed).

    Streams: messages are read ``PAGE`` at a time (memory does not grow with the corpus); each
    page's new chunk texts go to the model in one ``encode()`` call, and the page's vectors and
    chunks are written before the next page's, so a killed run keeps what it did. The model
    encodes page i in a worker thread while this thread reads and chunks page i+1 and writes
    page i-1 (tokenizers, torch and numpy release the GIL), so the stage's own work hides behind
    the model's. New messages' rows are appended to the saved message matrix (see
    :class:`_Appender`) instead of rebuilding it. ``progress(done, total)`` counts messages."""
    from concurrent.futures import ThreadPoolExecutor

    emb = embedder or get_embedder(ws)
    tick = progress or (lambda done, total: None)
    conn = ws.db
    max_tokens = int(getattr(emb, "max_seq_length", ws.config["max_seq_length"]))
    batch_size = ws.config["batch_size"]
    total = conn.execute(_TO_EMBED_ESTIMATE, (emb.name,)).fetchone()[0]
    tick(0, total)
    seen = done = n_chunks = encoded = 0
    last_id, last_commit = -(2 ** 63), time.monotonic()
    appender = _Appender(ws, emb)
    pool = ThreadPoolExecutor(1, thread_name_prefix="miner-encode")
    in_flight = None  # (todo, hashes, pending, future) of the page being encoded

    def store(page) -> None:
        nonlocal done, n_chunks, encoded, last_commit
        todo, hashes, pending, fut = page
        vecs = fut.result() if fut is not None else np.zeros((0, emb.dim), "<f2")
        encoded += _store_page(conn, emb, todo, hashes, pending, vecs, appender)
        done += len(todo)
        n_chunks += sum(len(t[4]) for t in todo)
        if time.monotonic() - last_commit > COMMIT_EVERY:  # a slow model keeps its work
            conn.commit()
            last_commit = time.monotonic()
        tick(done, max(total, done))

    try:
        while page := conn.execute(_PAGE, (emb.name, last_id, PAGE)).fetchall():
            last_id = page[-1][0]
            seen += len(page)
            todo = []
            for mid, key, subject, text, old in page:
                src = text_hash(f"{subject}\x00{text}")
                if old != src:
                    todo.append((mid, key, src, old is not None,
                                 chunk_message(subject or "", text or "", max_tokens)))
            if not todo:
                continue
            total = max(total, done + len(todo))  # changed messages were not in the estimate
            hashes, pending = _plan_page(conn, emb, todo,
                                         in_flight[2] if in_flight is not None else {})
            fut = (pool.submit(_encode, emb, list(pending.values()), batch_size)
                   if pending else None)
            if in_flight is not None:
                store(in_flight)
            in_flight = (todo, hashes, pending, fut)
        if in_flight is not None:
            page, in_flight = in_flight, None
            store(page)
        conn.commit()
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        conn.commit()  # vectors already computed are worth keeping (they are keyed by content)
        appender.abandon()
        raise
    pool.shutdown(wait=True)
    if done != total:
        tick(done, done)
    matrix = appender.finish(ws) if done else None
    appender.abandon()
    if matrix is None:
        matrix = load_matrix(ws, emb, rebuild=bool(done))
    report = {"model": emb.name, "messages": seen, "embedded_messages": done,
              "chunks": n_chunks, "texts_encoded": encoded,
              "texts_cached": n_chunks - encoded, "vectors": len(matrix[0])}
    if not ws.readonly:  # the keyword and ANN indexes, extended with the new messages only, so
        from miner.stages.search import update_index  # the first search does not build them

        report["search_index"] = update_index(ws, emb)
    return report


def _encode(emb, texts: list[str], batch_size: int) -> np.ndarray:
    """The model's vectors for ``texts`` as one float16 array (one conversion per page)."""
    return np.ascontiguousarray(emb.encode(texts, batch_size=batch_size), dtype="<f2")


def _plan_page(conn: sqlite3.Connection, emb, todo: list, encoding: dict[str, str]
               ) -> tuple[list[str], dict[str, str]]:
    """The chunk hashes of ``todo`` in order, and the texts to encode (hash -> text): those
    neither in the cache nor ``encoding`` (the page in flight, stored before this one)."""
    texts = [c[2] for *_, chunks in todo for c in chunks]
    hashes = [text_hash(t) for t in texts]
    have = _cached(conn, emb.name, hashes, vectors=False)
    pending: dict[str, str] = {}
    for h, t in zip(hashes, texts):
        if h not in have and h not in encoding:
            pending.setdefault(h, t)
    return hashes, pending


def _store_page(conn: sqlite3.Connection, emb, todo: list, hashes: list[str],
                pending: dict[str, str], vecs: np.ndarray, appender: _Appender) -> int:
    """Store the new vectors ``vecs`` (rows of ``pending``) and ``todo``'s chunks (in the open
    transaction), hand the messages' vectors to ``appender``; returns how many texts were
    encoded. Hashes neither pending nor new here were stored by this page's predecessor."""
    if pending:
        raw = memoryview(vecs.tobytes())
        step = 2 * emb.dim  # rows are slices of one buffer
        conn.executemany(  # in key order: B-tree inserts at neighbouring places are cheaper
            "INSERT OR IGNORE INTO embeddings(model, hash, dim, vector) VALUES (?,?,?,?)",
            sorted((emb.name, h, emb.dim, raw[j * step:(j + 1) * step])
                   for j, h in enumerate(pending)))
    changed = [(key, emb.name) for _, key, _, was, _ in todo if was]
    if changed:
        conn.executemany("DELETE FROM message_chunks WHERE message_key = ? AND model = ?", changed)
        appender.abandon()  # rows inside the matrix change: it is rebuilt instead
    h = iter(hashes)
    conn.executemany(
        "INSERT INTO message_chunks(message_key, model, chunk, start, \"end\", hash, "
        "source_hash) VALUES (?,?,?,?,?,?,?)",
        sorted((key, emb.name, j, a, b, next(h), src)
               for _, key, src, _, chunks in todo for j, (a, b, _) in enumerate(chunks)))
    if appender.ok and hashes:
        hits = [x for x in dict.fromkeys(hashes) if x not in pending]
        blobs = _cached(conn, emb.name, hits) if hits else {}
        table = np.concatenate([vecs.astype(np.float32),
                                from_blobs([blobs[x] for x in hits], emb.dim)])
        row = {x: j for j, x in enumerate(itertools.chain(pending, hits))}
        appender.add([t[0] for t in todo if t[4]], [len(t[4]) for t in todo if t[4]],
                     table[[row[x] for x in hashes]])
    return len(pending)


# --------------------------------------------------------------------------- message vectors
#
# The message matrix lives in ``<workspace>/vectors/<model>.f32.npy`` (float32, one unit row
# per embedded message in ``messages.id`` order), ``<model>.ids.npy`` (int64 ids) and
# ``<model>.json`` (the ``message_chunks`` stamp it was built from). It is derived data: the
# compact store is the float16 ``embeddings`` table. float32 on disk so that every process
# memory-maps the same pages and searches them with BLAS directly (a float16 file would need a
# float32 copy per process, or per query).

_MATRICES: dict[tuple[str, str], tuple[int, np.ndarray, np.ndarray]] = {}
MATRIX_FORMAT = 2  # 1 was the float16 file; bump when the file layout changes
_MATRIX_SQL = (  # CROSS JOIN keeps this join order: messages in id order, no sort in memory
    "SELECT m.id, e.vector FROM messages m CROSS JOIN message_chunks c "
    "ON c.message_key = m.key AND c.model = ? CROSS JOIN embeddings e "
    "ON e.model = c.model AND e.hash = c.hash ORDER BY m.id, c.chunk")
_NPY_HEADER = 128  # bytes: room for any 2-D float32 shape, a multiple of 64 (aligned rows)


def _stamp(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT coalesce(max(rowid), 0) FROM message_chunks").fetchone()[0]


def _npy_header(rows: int, dim: int) -> bytes:
    """A fixed-size ``.npy`` (version 1.0) header for a C-order float32 ``(rows, dim)`` array, so
    the file can be written as a stream and its shape filled in at the end."""
    d = repr({"descr": "<f4", "fortran_order": False, "shape": (rows, dim)}).encode("latin1")
    pad = _NPY_HEADER - 10 - len(d) - 1
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", _NPY_HEADER - 10) + d + b" " * pad + b"\n"


def _write_matrix(conn: sqlite3.Connection, model: str, dim: int, out: BinaryIO) -> np.ndarray:
    """Stream the message vectors (L2-normalised mean of each message's chunk vectors) of
    ``model`` into ``out`` as a float32 ``.npy``; returns the message ids.

    Memory stays bounded: chunk rows are fetched ``MATRIX_BATCH`` at a time in message order
    and a message cut by a batch boundary is carried over to the next batch."""
    out.write(_npy_header(0, dim))
    cur = conn.execute(_MATRIX_SQL, (model,))
    id_parts: list[np.ndarray] = []
    carry_id, carry = None, np.zeros((0, dim), np.float32)
    n = 0
    while True:
        rows = cur.fetchmany(MATRIX_BATCH)
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        vecs = from_blobs([r[1] for r in rows], dim)
        if carry_id is not None:
            ids = np.r_[np.full(len(carry), carry_id, np.int64), ids]
            vecs = np.concatenate([carry, vecs])
        if not len(ids):
            break
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        if rows:  # the last message may continue in the next batch
            carry_id, carry = int(ids[starts[-1]]), vecs[starts[-1]:]
            ids, vecs, starts = ids[:starts[-1]], vecs[:starts[-1]], starts[:-1]
        else:
            carry_id = None
        if len(starts):
            sums = np.add.reduceat(vecs, starts, axis=0)
            norm = np.linalg.norm(sums, axis=1, keepdims=True)
            norm[norm == 0] = 1.0
            out.write(np.ascontiguousarray(sums / norm, dtype="<f4").tobytes())
            id_parts.append(ids[starts])
            n += len(starts)
        if not rows:
            break
    out.seek(0)
    out.write(_npy_header(n, dim))
    return np.concatenate(id_parts) if id_parts else np.zeros(0, np.int64)


def _compute_matrix(conn: sqlite3.Connection, model: str, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """``(ids, X)`` computed from the database into a private temporary file (for read-only
    workspaces), memory-mapped: nothing is kept in the process's heap."""
    with tempfile.TemporaryFile(prefix="miner-vectors-") as fh:
        ids = _write_matrix(conn, model, dim, fh)
        fh.flush()
        if not len(ids):
            return ids, np.zeros((0, dim), np.float32)
        X = np.memmap(fh, dtype="<f4", mode="r", offset=_NPY_HEADER, shape=(len(ids), dim))
    return ids, np.asarray(X)


def _matrix_files(ws, model: str) -> tuple[Path, Path, Path]:
    """``(matrix, ids, meta)`` paths of a model's message matrix in the workspace."""
    d = ws.path / "vectors"
    return d / f"{model}.f32.npy", d / f"{model}.ids.npy", d / f"{model}.json"


def _open_matrix(fx: Path, fi: Path, fm: Path, stamp: int, dim: int):
    """The saved matrix when it matches ``stamp`` and ``dim``, memory-mapped read-only; else None."""
    if not fm.exists():
        return None
    try:
        meta = json.loads(fm.read_text())
        if (meta.get("format"), meta.get("stamp"), meta.get("dim")) != (MATRIX_FORMAT, stamp, dim):
            return None
        ids = np.asarray(np.load(fi, mmap_mode="r"))
        X = np.asarray(np.load(fx, mmap_mode="r")) if len(ids) else np.zeros((0, dim), np.float32)
        if X.shape != (len(ids), dim) or X.dtype != np.float32:
            raise ValueError(f"shape {X.shape} {X.dtype}, expected ({len(ids)}, {dim}) float32")
        return ids, X
    except (OSError, ValueError) as e:
        log.warning("vector file %s unreadable (%s); rebuilding it", fx, e)
        return None


def _save_matrix(ws, model: str, dim: int, stamp: int) -> tuple[np.ndarray, np.ndarray]:
    """Build the matrix files of ``model`` (written under temporary names, then renamed: a
    process that has the old file mapped keeps reading it) and map them."""
    fx, fi, fm = _matrix_files(ws, model)
    fx.parent.mkdir(exist_ok=True)
    tmp = [Path(tempfile.mkstemp(dir=fx.parent, prefix=f".{p.name}.", suffix=".tmp")[1])
           for p in (fx, fi)]
    try:
        with tmp[0].open("r+b") as fh:
            ids = _write_matrix(ws.db, model, dim, fh)
        with tmp[1].open("wb") as fh:
            np.save(fh, ids)
        for t, p in zip(tmp, (fx, fi)):
            os.replace(t, p)
        fm.write_text(json.dumps({"format": MATRIX_FORMAT, "stamp": stamp, "dim": dim,
                                  "n": len(ids), "model": model, "dtype": "float32"}))
    finally:
        for t in tmp:
            t.unlink(missing_ok=True)
    fx.with_name(f"{model}.f16.npy").unlink(missing_ok=True)  # format 1, superseded
    return _open_matrix(fx, fi, fm, stamp, dim) or (ids, np.zeros((0, dim), np.float32))


class _Appender:
    """Adds the rows of newly embedded messages to the end of the saved message matrix, in the
    stage, from the vectors it has in hand: no re-read of every chunk vector after each ingest.

    Only when the saved matrix is current (or there is none and nothing was embedded) and every
    new message comes after its last row; otherwise ``ok`` turns false and the stage rebuilds
    the matrix. Rows go to a temporary file first; :meth:`finish` appends them to the matrix
    file in place (beyond what other processes have mapped) and then rewrites the header."""

    def __init__(self, ws, emb) -> None:
        self.ok, self.tmp, self.fh = False, None, None
        if ws.readonly:
            return
        self.model, self.dim = emb.name, emb.dim
        self.fx, self.fi, self.fm = _matrix_files(ws, emb.name)
        stamp = _stamp(ws.db)
        base = _open_matrix(self.fx, self.fi, self.fm, stamp, emb.dim)
        if base is None and stamp:
            return
        self.base_ids = base[0] if base else np.zeros(0, np.int64)
        self.last = int(self.base_ids[-1]) if len(self.base_ids) else -(2 ** 63)
        self.ids: list[np.ndarray] = []
        try:
            self.fx.parent.mkdir(exist_ok=True)
            fd, name = tempfile.mkstemp(dir=self.fx.parent, prefix=f".{self.fx.name}.",
                                        suffix=".rows.tmp")
        except OSError:
            return
        self.tmp, self.fh = Path(name), os.fdopen(fd, "w+b")
        self.fh.write(_npy_header(0, self.dim))
        self.ok = True

    def add(self, ids: list[int], counts: list[int], vecs: np.ndarray) -> None:
        """Rows for messages ``ids`` (ascending) from their chunk vectors ``vecs`` (``counts``
        rows per message, in order)."""
        if not self.ok or not ids:
            return
        if ids[0] <= self.last:
            self.abandon()
            return
        starts = np.r_[0, np.cumsum(counts)[:-1]]
        sums = np.add.reduceat(vecs, starts, axis=0)
        norm = np.linalg.norm(sums, axis=1, keepdims=True)
        norm[norm == 0] = 1.0
        self.fh.write(np.ascontiguousarray(sums / norm, dtype="<f4").tobytes())
        self.ids.append(np.asarray(ids, np.int64))
        self.last = ids[-1]

    def finish(self, ws) -> tuple[np.ndarray, np.ndarray] | None:
        """Write the grown matrix and its ids and stamp; None when appending was given up."""
        if not self.ok:
            return None
        new = np.concatenate(self.ids) if self.ids else np.zeros(0, np.int64)
        n0, n = len(self.base_ids), len(self.base_ids) + len(new)
        row = 4 * self.dim
        try:
            if n0 == 0:
                self.fh.seek(0)
                self.fh.write(_npy_header(n, self.dim))
                self.fh.close()
                os.replace(self.tmp, self.fx)
            else:
                with self.fx.open("r+b") as out:
                    if out.read(10)[8:] != struct.pack("<H", _NPY_HEADER - 10):
                        raise ValueError(f"{self.fx} has a header of another size")
                    out.seek(_NPY_HEADER + n0 * row)
                    out.truncate()
                    self.fh.seek(_NPY_HEADER)
                    shutil.copyfileobj(self.fh, out, 1 << 20)
                    out.seek(0)
                    out.write(_npy_header(n, self.dim))
            fd, name = tempfile.mkstemp(dir=self.fi.parent, prefix=f".{self.fi.name}.")
            with os.fdopen(fd, "wb") as fh:
                np.save(fh, np.concatenate([self.base_ids, new]))
            os.replace(name, self.fi)
            stamp = _stamp(ws.db)
            self.fm.write_text(json.dumps({"format": MATRIX_FORMAT, "stamp": stamp,
                                           "dim": self.dim, "n": n, "model": self.model,
                                           "dtype": "float32"}))
        except (OSError, ValueError) as e:
            log.warning("could not append to the vector file %s (%s); rebuilding it", self.fx, e)
            self.abandon()
            return None
        finally:
            self.abandon()
        got = _open_matrix(self.fx, self.fi, self.fm, stamp, self.dim)
        if got is not None:
            _MATRICES[(str(ws.db_path), self.model)] = (stamp, *got)
        return got

    def abandon(self) -> None:
        self.ok = False
        if self.fh is not None:
            self.fh.close()
            self.fh = None
        if self.tmp is not None:
            self.tmp.unlink(missing_ok=True)
            self.tmp = None


def load_matrix(ws, embedder=None, *, rebuild: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``(ids, X)``: ``messages.id`` (ascending) and a float32 unit row per embedded message.

    ``X`` is a read-only memory map of ``<workspace>/vectors/<model>.f32.npy``: processes share
    its pages and none holds a private copy. The file is rebuilt (streaming, bounded memory)
    when the chunks changed since it was written, or with ``rebuild``."""
    emb = embedder or get_embedder(ws)
    stamp = _stamp(ws.db)
    ck = (str(ws.db_path), emb.name)
    hit = _MATRICES.get(ck)
    if hit and hit[0] == stamp and not rebuild:
        return hit[1], hit[2]
    got = None if rebuild else _open_matrix(*_matrix_files(ws, emb.name), stamp, emb.dim)
    if got is None and not ws.readonly:
        try:
            got = _save_matrix(ws, emb.name, emb.dim, stamp)
        except OSError as e:
            log.warning("cannot save the vector file of %s in %s: %s", emb.name, ws.path, e)
    if got is None:
        got = _compute_matrix(ws.db, emb.name, emb.dim)
    _MATRICES[ck] = (stamp, *got)
    return got


def message_vectors(ws, *, keys: Sequence[str] | None = None,
                    embedder=None) -> tuple[list[str], np.ndarray]:
    """Message keys and their unit vectors (mean of chunks), for embedded messages only.

    With ``keys``, only those messages (in the order given; keys not embedded are left out).
    Without, the matrix itself is returned when every row's message exists (read-only, no copy)."""
    emb = embedder or get_embedder(ws)
    ids, X = load_matrix(ws, emb)
    if len(ids) == 0:
        if keys is not None or not ws.db.execute("SELECT 1 FROM messages LIMIT 1").fetchone():
            return [], np.zeros((0, emb.dim), dtype=np.float32)
        raise StageError("no message is embedded yet; run 'miner analyze embeddings' first")
    key_of = dict(ws.db.execute("SELECT id, key FROM messages"))
    if keys is None:
        sel = [(key_of[i], r) for r, i in enumerate(ids.tolist()) if i in key_of]
        if len(sel) == len(ids):
            return [k for k, _ in sel], X
    else:
        row = {i: r for r, i in enumerate(ids.tolist())}
        id_of = {k: i for i, k in key_of.items()}
        sel = [(k, row[id_of[k]]) for k in keys if k in id_of and id_of[k] in row]
    return [k for k, _ in sel], X[[r for _, r in sel]] if sel else np.zeros((0, emb.dim), np.float32)
