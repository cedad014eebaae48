"""Stage ``embeddings``: one vector per message, from the author's new text only.

Each message's new text is cut into chunks (paragraphs merged up to about ``max_seq_length``
tokens; the subject, without ``Re:`` and list tags, is prepended to the first chunk). Every chunk
text is embedded once ever: vectors are cached in ``embeddings`` keyed by (model name, sha1 of the
text), so re-running, re-ingesting or sharing a sentence between messages costs nothing. A
message's vector is the L2-normalised mean of its chunk vectors.

A cheap model (the static one; ``cache_vectors = False``, see :func:`miner.stages.vectors.caches`)
skips that cache: encoding a chunk again costs it less than storing and reading its vector. Its
chunks are still recorded in ``message_chunks`` (spans and hashes: what is embedded, and what to
re-encode when the message matrix must be rebuilt), and its vectors are rounded through float16
exactly as cached ones are, so results do not depend on the switch.

The public API the other stages use::

    emb = get_embedder(ws)                      # the configured model (minilm or static)
    keys, X = message_vectors(ws)               # float32, one unit row per embedded message
    Q = embed_texts(ws, ["a query"])            # same cache, same model

Tests and other engineers' fixtures inject a fake model with ``ws.embedder = HashingEmbedder()``
(see :mod:`miner.nlp.embedders`); every function here then uses it.

For search, the message vectors are also kept as a float32 matrix file in
``<workspace>/vectors/`` (see :mod:`miner.stages.vectors`), memory-mapped at query time. Chunking
lives in :mod:`miner.nlp.chunking`; both are re-exported here for callers.
"""
from __future__ import annotations

import gc
import hashlib
import itertools
import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future

import numpy as np

from miner.config import Config
from miner.errors import StageError
from miner.nlp.chunking import MAX_CHUNKS, approx_tokens, chunk_message, clean_subject
from miner.stages import vectors
from miner.stages.vectors import Appender, caches, from_blobs, to_blob

__all__ = ["MAX_CHUNKS", "approx_tokens", "chunk_message", "clean_subject", "embed_texts",
           "embedder_for_search", "from_blobs", "get_embedder", "load_matrix", "message_vectors",
           "model_name", "run", "text_hash", "to_blob"]

log = logging.getLogger(__name__)

REQUIRES: tuple[str, ...] = ()
WRITES = ("embeddings", "message_chunks")

# Messages read per page: one encode() call per page (sentence-transformers sorts a call's texts
# by length, so bigger calls pad less; 2,048 messages are ~2,500 texts, a few MB of text).
PAGE = 2048
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
    if not caches(emb):  # a cheap model: encode (each distinct text once), as the cache rounds
        uniq = list(dict.fromkeys(texts))
        vecs = _encode(emb, uniq, ws.config["batch_size"]).astype(np.float32)
        if len(uniq) == len(texts):
            return vecs
        row = {t: j for j, t in enumerate(uniq)}
        return vecs[[row[t] for t in texts]]
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
# The same when the model has no chunk row yet (a first run): no join (~5 % of the stage's own
# CPU at 10k messages for a static model).
_PAGE_FIRST = "SELECT id, key, subject, text, NULL FROM messages WHERE id > ? ORDER BY id LIMIT ?"


def run(ws, progress: Callable[[int, int], None] | None = None, *, embedder=None) -> dict:
    """Embed every message not embedded yet (or whose subject or new text changed).

    Streams: messages are read ``PAGE`` at a time (memory does not grow with the corpus); each
    page's new chunk texts go to the model in one ``encode()`` call, and the page's vectors and
    chunks are written before the next page's, so a killed run keeps what it did. The model
    encodes page i in a worker thread while this thread reads and chunks page i+1 and writes
    page i-1 (tokenizers, torch and numpy release the GIL), so the stage's own work hides behind
    the model's; a cheap model (no cache) encodes inline instead (see below). New messages' rows are appended to the saved message matrix (see
    :class:`Appender`) instead of rebuilding it. ``progress(done, total)`` counts messages."""
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
    appender = Appender(ws, emb)
    if appender.redo:  # chunked by a killed run whose rows never reached the matrix file;
        # deleted in the stage's transaction: a kill before its first commit leaves them as
        # they were
        conn.executemany("DELETE FROM message_chunks WHERE message_key = ? AND model = ?",
                         [(k, emb.name) for k in appender.redo])
        total = conn.execute(_TO_EMBED_ESTIMATE, (emb.name,)).fetchone()[0]
    cached = caches(emb)
    first = conn.execute("SELECT 1 FROM message_chunks WHERE model = ? LIMIT 1",
                         (emb.name,)).fetchone() is None
    page_of = ((lambda last: conn.execute(_PAGE_FIRST, (last, PAGE))) if first else
               (lambda last: conn.execute(_PAGE, (emb.name, last, PAGE))))
    sha1 = hashlib.sha1  # text_hash, inlined
    # A cheap model's stage allocates a few containers per message and no reference cycle;
    # the collector's automatic passes over them were ~6 % of its own CPU at 10k messages
    # (gc.callbacks), so they are paused for the stage (restored below). Not for an expensive
    # model: its run is long and the model's own code may make cycles.
    gc_paused = not cached and gc.isenabled()
    if gc_paused:
        gc.disable()
    # A cheap model encodes inline: its Rust tokenizer already keeps both cores busy, and the
    # stage's own work beside it oversubscribed them (10k messages, 15 alternated runs each at
    # load 3-10: median CPU overhead over raw encode() +6.3 % inline against +9.9 % in a worker
    # thread; runs above +12 %: 1 against 7). Its wall time grows by that own work (~0.6 s).
    pool = ThreadPoolExecutor(1, thread_name_prefix="miner-encode") if cached else _Inline()
    in_flight = None  # (todo, hashes, pending, future) of the page being encoded

    def store(page) -> None:
        nonlocal done, n_chunks, encoded, last_commit
        todo, hashes, pending, fut = page
        vecs = fut.result() if fut is not None else np.zeros((0, emb.dim), "<f2")
        encoded += _store_page(conn, emb, todo, hashes, pending, vecs, appender, cached)
        done += len(todo)
        n_chunks += sum(len(t[4]) for t in todo)
        if time.monotonic() - last_commit > COMMIT_EVERY:  # a slow model keeps its work
            conn.commit()
            last_commit = time.monotonic()
        tick(done, max(total, done))

    try:
        while page := page_of(last_id).fetchall():
            last_id = page[-1][0]
            seen += len(page)
            todo = []
            for mid, key, subject, text, old in page:
                src = sha1(f"{subject}\x00{text}".encode("utf-8", "surrogatepass")).hexdigest()
                if old != src:
                    todo.append((mid, key, src, old is not None,
                                 chunk_message(subject or "", text or "", max_tokens)))
            if not todo:
                continue
            total = max(total, done + len(todo))  # changed messages were not in the estimate
            hashes, pending = _plan_page(conn, emb, todo,
                                         in_flight[2] if in_flight is not None else {}, cached)
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
    finally:
        if gc_paused:
            gc.enable()
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


class _Inline:
    """The ``submit``/``shutdown`` of a one-worker pool, run in the calling thread (an
    exception is kept in the future, as a worker's would be)."""

    def submit(self, fn, *args) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(fn(*args))
        except BaseException as e:  # noqa: BLE001 - handed to the caller through the future
            fut.set_exception(e)
        return fut

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        pass


def _encode(emb, texts: list[str], batch_size: int) -> np.ndarray:
    """The model's vectors for ``texts`` as one float16 array (one conversion per page)."""
    return np.ascontiguousarray(emb.encode(texts, batch_size=batch_size), dtype="<f2")


def _plan_page(conn: sqlite3.Connection, emb, todo: list, encoding: dict[str, str],
               cached: bool = True) -> tuple[list[str], dict[str, str]]:
    """The chunk hashes of ``todo`` in order, and the texts to encode (hash -> text): those
    neither in the cache nor ``encoding`` (the page in flight, stored before this one). Without
    a cache (``cached`` false) every distinct text of the page is encoded."""
    texts = [c[2] for *_, chunks in todo for c in chunks]
    sha1 = hashlib.sha1  # text_hash, inlined (22k calls per 10k messages)
    hashes = [sha1(t.encode("utf-8", "surrogatepass")).hexdigest() for t in texts]
    if not cached:
        return hashes, dict(zip(hashes, texts))
    have = _cached(conn, emb.name, hashes, vectors=False)
    pending: dict[str, str] = {}
    for h, t in zip(hashes, texts):
        if h not in have and h not in encoding:
            pending.setdefault(h, t)
    return hashes, pending


def _store_page(conn: sqlite3.Connection, emb, todo: list, hashes: list[str],
                pending: dict[str, str], vecs: np.ndarray, appender: Appender,
                cached: bool = True) -> int:
    """Store the new vectors ``vecs`` (rows of ``pending``; not when ``cached`` is false) and
    ``todo``'s chunks (in the open transaction), hand the messages' vectors to ``appender``;
    returns how many texts were encoded. Hashes neither pending nor new here were stored by
    this page's predecessor."""
    if pending and cached:
        raw = memoryview(vecs.tobytes())
        step = 2 * emb.dim  # rows are slices of one buffer
        keys = list(pending)
        name, dim = emb.name, emb.dim
        conn.executemany(  # in key order: B-tree inserts at neighbouring places are cheaper
            "INSERT OR IGNORE INTO embeddings(model, hash, dim, vector) VALUES (?,?,?,?)",
            [(name, keys[j], dim, raw[j * step:(j + 1) * step])
             for j in sorted(range(len(keys)), key=keys.__getitem__)])
    changed = [(key, emb.name) for _, key, _, was, _ in todo if was]
    if changed:
        conn.executemany("DELETE FROM message_chunks WHERE message_key = ? AND model = ?", changed)
        appender.drop([mid for mid, _, _, was, _ in todo if was])  # their saved rows go
    h = iter(hashes)
    conn.executemany(
        "INSERT INTO message_chunks(message_key, model, chunk, start, \"end\", hash, "
        "source_hash) VALUES (?,?,?,?,?,?,?)",
        sorted((key, emb.name, j, a, b, next(h), src)
               for _, key, src, _, chunks in todo for j, (a, b, _) in enumerate(chunks)))
    if appender.ok and hashes:
        if len(pending) == len(hashes):  # every chunk new and unique: vecs is in chunk order
            rows = vecs.astype(np.float32)
        elif not cached:  # repeated texts within the page: each was encoded once
            row = {x: j for j, x in enumerate(pending)}
            rows = vecs[[row[x] for x in hashes]].astype(np.float32)
        else:
            hits = [x for x in dict.fromkeys(hashes) if x not in pending]
            blobs = _cached(conn, emb.name, hits) if hits else {}
            table = np.concatenate([vecs.astype(np.float32),
                                    from_blobs([blobs[x] for x in hits], emb.dim)])
            row = {x: j for j, x in enumerate(itertools.chain(pending, hits))}
            rows = table[[row[x] for x in hashes]]
        appender.add([t[0] for t in todo if t[4]], [len(t[4]) for t in todo if t[4]], rows)
    return len(pending)


# --------------------------------------------------------------------------- message vectors

def load_matrix(ws, embedder=None, *, rebuild: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``(ids, X)``: ``messages.id`` (ascending) and a float32 unit row per embedded message,
    memory-mapped read-only from the workspace's vector file (see
    :func:`miner.stages.vectors.load_matrix`); the workspace's embedder unless one is given."""
    return vectors.load_matrix(ws, embedder or get_embedder(ws), rebuild=rebuild)


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
