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

For search, the message vectors are also kept as a float16 matrix file in
``<workspace>/vectors/`` (rebuilt when the chunks change), which is memory-mapped at query time.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from miner.config import Config
from miner.errors import StageError

log = logging.getLogger(__name__)

REQUIRES: tuple[str, ...] = ()
WRITES = ("embeddings", "message_chunks")

MAX_CHUNKS = 16  # a message longer than this many chunks (log dumps) keeps its first ones
ENCODE_BLOCK = 512  # texts per encode() call
COMMIT_EVERY = 5.0  # seconds between commits of new vectors (a killed run keeps what it did)


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


def _count(text: str) -> int:
    return len(_TOKENS.findall(text))


def _approx(n: int) -> int:
    return int(n * 1.25) + 1


def _pieces(text: str, start: int, end: int, budget: int) -> list[tuple[int, int, int]]:
    """``(start, end, raw token count)`` pieces of ``text[start:end]`` under ``budget``, cut at
    sentence ends (else at spaces). Counts are summed, never recounted: pieces meet at
    whitespace, so the count of a join is the sum of the counts (linear in the text)."""
    whole = _count(text[start:end])
    if _approx(whole) <= budget:  # the usual case: the paragraph fits
        return [(start, end, whole)]
    cuts = [start] + [m.end() for m in _SENTENCE_END.finditer(text, start, end)] + [end]
    pieces: list[tuple[int, int, int]] = []
    s, n_s = start, 0
    for a, b in zip(cuts, cuts[1:]):
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
    body = text.strip()
    if body and _approx(_count(body)) <= first_budget:  # the usual case: one chunk
        a = len(text) - len(text.lstrip())
        return [(a, a + len(body), f"{subj}\n\n{body}" if subj else body)]
    paras, pos = [], 0
    for m in _PARA_BREAK.finditer(text):
        paras.append((pos, m.start()))
        pos = m.end()
    paras.append((pos, len(text)))
    spans: list[tuple[int, int, int]] = []
    for a, b in paras:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            spans.extend(_pieces(text, a, b, budget))
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

def _cached(conn: sqlite3.Connection, model: str, hashes: Sequence[str]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    hashes = list(dict.fromkeys(hashes))
    for i in range(0, len(hashes), 500):
        part = hashes[i:i + 500]
        q = ",".join("?" * len(part))
        for h, blob in conn.execute(
                f"SELECT hash, vector FROM embeddings WHERE model = ? AND hash IN ({q})",
                [model, *part]):
            found[h] = blob
    return found


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

def run(ws, progress: Callable[[int, int], None] | None = None, *, embedder=None) -> dict:
    """Embed every message not embedded yet (or whose subject or new text changed)."""
    emb = embedder or get_embedder(ws)
    tick = progress or (lambda done, total: None)
    conn = ws.db
    max_tokens = int(getattr(emb, "max_seq_length", ws.config["max_seq_length"]))
    known = dict(conn.execute(
        "SELECT message_key, source_hash FROM message_chunks WHERE model = ? AND chunk = 0",
        (emb.name,)).fetchall())
    todo: list[tuple[str, str, list[tuple[int, int, str]]]] = []
    seen = 0
    for key, subject, text in conn.execute("SELECT key, subject, text FROM messages ORDER BY id"):
        seen += 1
        src = text_hash(f"{subject}\x00{text}")
        if known.get(key) == src:
            continue
        todo.append((key, src, chunk_message(subject or "", text or "", max_tokens)))
    chunk_texts = [c[2] for _, _, chunks in todo for c in chunks]
    hashes = [text_hash(t) for t in chunk_texts]  # in message order: reused for message_chunks
    have = set(_cached(conn, emb.name, hashes)) if hashes else set()
    pending: dict[str, str] = {}
    for h, t in zip(hashes, chunk_texts):
        if h not in have:
            pending.setdefault(h, t)
    items = list(pending.items())
    total = len(items)
    tick(0, total)
    last_commit = time.monotonic()
    try:
        for i in range(0, total, ENCODE_BLOCK):
            block = items[i:i + ENCODE_BLOCK]
            vecs = emb.encode([t for _, t in block], batch_size=ws.config["batch_size"])
            blob = np.asarray(vecs, dtype="<f2")  # one conversion per block, then row views
            conn.executemany(
                "INSERT OR IGNORE INTO embeddings(model, hash, dim, vector) VALUES (?,?,?,?)",
                [(emb.name, h, emb.dim, blob[j].tobytes()) for j, (h, _) in enumerate(block)])
            if time.monotonic() - last_commit > COMMIT_EVERY:  # a slow model keeps its work
                conn.commit()
                last_commit = time.monotonic()
            tick(min(i + ENCODE_BLOCK, total), total)
        conn.commit()
    except BaseException:
        conn.commit()  # vectors already computed are worth keeping (they are keyed by content)
        raise
    rows, h = [], iter(hashes)
    for key, src, chunks in todo:
        rows += [(key, emb.name, j, a, b, next(h), src) for j, (a, b, _) in enumerate(chunks)]
    with conn:
        conn.executemany("DELETE FROM message_chunks WHERE message_key = ? AND model = ?",
                         [(key, emb.name) for key, _, _ in todo if key in known])
        conn.executemany(
            "INSERT INTO message_chunks(message_key, model, chunk, start, \"end\", hash, "
            "source_hash) VALUES (?,?,?,?,?,?,?)", rows)
    matrix = load_matrix(ws, emb, rebuild=bool(todo))
    return {"model": emb.name, "messages": seen, "embedded_messages": len(todo),
            "chunks": len(chunk_texts), "texts_encoded": total,
            "texts_cached": len(chunk_texts) - total, "vectors": len(matrix[0])}


# --------------------------------------------------------------------------- message vectors

_MATRICES: dict[tuple[str, str], tuple[int, np.ndarray, np.ndarray]] = {}


def _stamp(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT coalesce(max(rowid), 0) FROM message_chunks").fetchone()[0]


def _compute_matrix(conn: sqlite3.Connection, model: str, dim: int) -> tuple[np.ndarray, np.ndarray]:
    rows = conn.execute(
        "SELECT m.id, e.vector FROM message_chunks c JOIN messages m ON m.key = c.message_key "
        "JOIN embeddings e ON e.model = c.model AND e.hash = c.hash WHERE c.model = ? "
        "ORDER BY m.id, c.chunk", (model,)).fetchall()
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros((0, dim), dtype=np.float32)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    vecs = from_blobs([r[1] for r in rows], dim)
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    sums = np.add.reduceat(vecs, starts, axis=0)
    n = np.linalg.norm(sums, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return ids[starts], (sums / n).astype(np.float32)


def _matrix_files(ws, model: str) -> tuple[Path, Path, Path]:
    d = ws.path / "vectors"
    return d / f"{model}.f16.npy", d / f"{model}.ids.npy", d / f"{model}.json"


def load_matrix(ws, embedder=None, *, rebuild: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``(ids, X)``: ``messages.id`` and a float32 unit row per embedded message.

    Cached in the process and in ``<workspace>/vectors/`` (float16, memory-mapped) and rebuilt
    when the chunks changed since."""
    emb = embedder or get_embedder(ws)
    stamp = _stamp(ws.db)
    ck = (str(ws.db_path), emb.name)
    hit = _MATRICES.get(ck)
    if hit and hit[0] == stamp and not rebuild:
        return hit[1], hit[2]
    fx, fi, fm = _matrix_files(ws, emb.name)
    ids = X = None
    if not rebuild and fm.exists():
        try:
            meta = json.loads(fm.read_text())
            if meta.get("stamp") == stamp and meta.get("dim") == emb.dim:
                ids = np.load(fi)
                X = np.asarray(np.load(fx, mmap_mode="r"), dtype=np.float32)
        except (OSError, ValueError) as e:
            log.warning("vector file %s unreadable (%s); rebuilding it", fx, e)
    if ids is None or X is None:
        ids, X = _compute_matrix(ws.db, emb.name, emb.dim)
        if not ws.readonly:
            try:
                fx.parent.mkdir(exist_ok=True)
                for path, arr in ((fx, X.astype("<f2")), (fi, ids)):
                    tmp = path.with_suffix(".tmp.npy")
                    np.save(tmp, arr)
                    os.replace(tmp, path)
                fm.write_text(json.dumps({"stamp": stamp, "dim": emb.dim, "n": len(ids),
                                          "model": emb.name}))
            except OSError as e:
                log.warning("cannot save the vector file %s: %s", fx, e)
    _MATRICES[ck] = (stamp, ids, X)
    return ids, X


def message_vectors(ws, *, keys: Sequence[str] | None = None,
                    embedder=None) -> tuple[list[str], np.ndarray]:
    """Message keys and their unit vectors (mean of chunks), for embedded messages only.

    With ``keys``, only those messages (in the order given; keys not embedded are left out)."""
    emb = embedder or get_embedder(ws)
    ids, X = load_matrix(ws, emb)
    if len(ids) == 0:
        if keys is not None or not ws.db.execute("SELECT 1 FROM messages LIMIT 1").fetchone():
            return [], np.zeros((0, emb.dim), dtype=np.float32)
        raise StageError("no message is embedded yet; run 'miner analyze embeddings' first")
    key_of = dict(ws.db.execute("SELECT id, key FROM messages"))
    row = {int(i): r for r, i in enumerate(ids)}
    if keys is None:
        sel = [(key_of[int(i)], r) for r, i in enumerate(ids) if int(i) in key_of]
    else:
        id_of = {k: i for i, k in key_of.items()}
        sel = [(k, row[id_of[k]]) for k in keys if k in id_of and id_of[k] in row]
    return [k for k, _ in sel], X[[r for _, r in sel]] if sel else np.zeros((0, emb.dim), np.float32)
