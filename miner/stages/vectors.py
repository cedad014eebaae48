"""The message matrix: one float32 unit row per embedded message, kept as files in
``<workspace>/vectors/`` and memory-mapped at query time.

``<model>.f32.npy`` (float32, one row per embedded message in ``messages.id`` order),
``<model>.ids.npy`` (int64 ids) and ``<model>.json`` (the ``message_chunks`` stamp it was built
from). For an expensive model (MiniLM) it is derived data: the compact store is the float16
``embeddings`` table, which :mod:`miner.stages.embeddings` fills. A cheap model (the static one:
``cache_vectors = False``, see :func:`caches`) has no rows there: its matrix file is the store
of record, and a rebuild encodes the stored chunk spans again (see :func:`_encoded_batches`). float32 on disk so that every process memory-maps the same
pages and searches them with BLAS directly (a float16 file would need a float32 copy per
process, or per query).

The embeddings stage grows the files in place with :class:`Appender` as it embeds new messages;
:func:`load_matrix` rebuilds them (streaming, bounded memory) when the chunks changed otherwise.
Callers outside the stages use ``miner.stages.embeddings.load_matrix``, which picks the model.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import struct
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np

log = logging.getLogger(__name__)

MATRIX_BATCH = 8192  # chunk vectors fetched at a time when the message matrix is built


def caches(emb) -> bool:
    """Whether ``emb``'s chunk vectors are kept in the ``embeddings`` table (its
    ``cache_vectors`` attribute, true when absent).

    A static model encodes a chunk faster than SQLite stores and reads back its float16 vector
    (measured on 10k gen_mbox messages: the cache writes and look-ups were ~0.15 s of the
    stage's ~0.8 s of own work, against ~6 s CPU of encode()), so it sets it false; MiniLM
    (about 100x slower to encode) keeps its cache."""
    return bool(getattr(emb, "cache_vectors", True))


def to_blob(v: np.ndarray) -> bytes:
    """A vector as the float16 BLOB of the ``embeddings`` table."""
    return np.asarray(v, dtype="<f2").tobytes()


def from_blobs(blobs: Sequence[bytes], dim: int) -> np.ndarray:
    """float32 ``(len(blobs), dim)`` from float16 BLOBs."""
    if not blobs:
        return np.zeros((0, dim), dtype=np.float32)
    return np.frombuffer(b"".join(blobs), dtype="<f2").reshape(len(blobs), dim).astype(np.float32)



def unit_means(vecs: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The L2-normalised sums of the row groups of ``vecs`` that begin at ``starts`` (ascending,
    the first 0): one message vector per group of chunk vectors (zero sums stay zero).

    Sums row by row in chunk order, one numpy pass per chunk rank (a message rarely has more
    than a few chunks): ~30x faster than ``np.add.reduceat(vecs, starts, axis=0)`` on pages of
    mostly one-chunk messages (0.5 vs 16.6 ms for 2,048 messages), which dominated
    :meth:`Appender.add`. The stage's appended rows and a rebuild both use it, so they agree
    bit for bit."""
    starts = np.asarray(starts, dtype=np.int64)
    if not len(starts):
        return np.zeros((0, vecs.shape[1]), np.float32)
    counts = np.diff(np.r_[starts, len(vecs)])
    sums = vecs[starts].astype(np.float32)  # a copy
    for k in range(1, int(counts.max())):
        more = counts > k
        sums[more] += vecs[starts[more] + k]
    norm = np.linalg.norm(sums, axis=1, keepdims=True)
    norm[norm == 0] = 1.0
    sums /= norm
    return sums


# (database path, model) -> (stamp, ids, X) of the matrices this process has mapped
_MATRICES: dict[tuple[str, str], tuple[int, np.ndarray, np.ndarray]] = {}
MATRIX_FORMAT = 2  # 1 was the float16 file; bump when the file layout changes
_MATRIX_SQL = (  # CROSS JOIN keeps this join order: messages in id order, no sort in memory
    "SELECT m.id, e.vector FROM messages m CROSS JOIN message_chunks c "
    "ON c.message_key = m.key AND c.model = ? CROSS JOIN embeddings e "
    "ON e.model = c.model AND e.hash = c.hash ORDER BY m.id, c.chunk")
_NPY_HEADER = 128  # bytes: room for any 2-D float32 shape, a multiple of 64 (aligned rows)


def _stamp(conn: sqlite3.Connection) -> int:
    """Changes whenever chunk rows are added (the matrix files record the stamp they match)."""
    return conn.execute("SELECT coalesce(max(rowid), 0) FROM message_chunks").fetchone()[0]


def _npy_header(rows: int, dim: int) -> bytes:
    """A fixed-size ``.npy`` (version 1.0) header for a C-order float32 ``(rows, dim)`` array, so
    the file can be written as a stream and its shape filled in at the end."""
    d = repr({"descr": "<f4", "fortran_order": False, "shape": (rows, dim)}).encode("latin1")
    pad = _NPY_HEADER - 10 - len(d) - 1
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", _NPY_HEADER - 10) + d + b" " * pad + b"\n"


# The chunk spans of a model whose vectors are not cached, in the same order as _MATRIX_SQL.
_SPANS_SQL = (
    "SELECT m.id, m.subject, m.text, c.chunk, c.start, c.\"end\" FROM messages m "
    "CROSS JOIN message_chunks c ON c.message_key = m.key AND c.model = ? ORDER BY m.id, c.chunk")

Batches = Iterator[tuple[np.ndarray, np.ndarray]]


def _cached_batches(conn: sqlite3.Connection, model: str, dim: int) -> Batches:
    """``(message ids, float32 chunk vectors)`` in message and chunk order, read from the
    ``embeddings`` cache ``MATRIX_BATCH`` rows at a time."""
    cur = conn.execute(_MATRIX_SQL, (model,))
    while rows := cur.fetchmany(MATRIX_BATCH):
        yield (np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)),
               from_blobs([r[1] for r in rows], dim))


def _encoded_batches(conn: sqlite3.Connection, emb, batch_size: int) -> Batches:
    """The same as :func:`_cached_batches` for a model without a cache: each stored chunk's
    text is rebuilt from its span (:func:`miner.nlp.chunking.chunk_text`) and encoded again,
    rounded through float16 as the stage rounds it, so a rebuild gives the appended rows."""
    from miner.nlp.chunking import chunk_text

    cur = conn.execute(_SPANS_SQL, (emb.name,))
    while rows := cur.fetchmany(MATRIX_BATCH):
        texts = [chunk_text(s or "", t or "", c, a, b) for _, s, t, c, a, b in rows]
        vecs = np.asarray(emb.encode(texts, batch_size=batch_size), dtype="<f2")
        yield (np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)),
               vecs.astype(np.float32))


def _batches(conn: sqlite3.Connection, emb, batch_size: int) -> Batches:
    return (_cached_batches(conn, emb.name, emb.dim) if caches(emb)
            else _encoded_batches(conn, emb, batch_size))


def _write_matrix(batches: Batches, dim: int, out: BinaryIO) -> np.ndarray:
    """Stream the message vectors (L2-normalised mean of each message's chunk vectors) of
    ``batches`` (see :func:`_batches`) into ``out`` as a float32 ``.npy``; returns the message
    ids.

    Memory stays bounded: chunk rows come ``MATRIX_BATCH`` at a time in message order and a
    message cut by a batch boundary is carried over to the next batch."""
    out.write(_npy_header(0, dim))
    id_parts: list[np.ndarray] = []
    carry_id, carry = None, np.zeros((0, dim), np.float32)
    n = 0
    empty = (np.zeros(0, np.int64), np.zeros((0, dim), np.float32))
    while True:
        ids, vecs = next(batches, empty)
        rows = len(ids)
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
            out.write(np.ascontiguousarray(unit_means(vecs, starts), dtype="<f4").tobytes())
            id_parts.append(ids[starts])
            n += len(starts)
        if not rows:
            break
    out.seek(0)
    out.write(_npy_header(n, dim))
    return np.concatenate(id_parts) if id_parts else np.zeros(0, np.int64)


def _compute_matrix(ws, emb) -> tuple[np.ndarray, np.ndarray]:
    """``(ids, X)`` computed from the database into a private temporary file (for read-only
    workspaces), memory-mapped: nothing is kept in the process's heap."""
    dim = emb.dim
    with tempfile.TemporaryFile(prefix="miner-vectors-") as fh:
        ids = _write_matrix(_batches(ws.db, emb, ws.config["batch_size"]), dim, fh)
        fh.flush()
        if not len(ids):
            return ids, np.zeros((0, dim), np.float32)
        X = np.memmap(fh, dtype="<f4", mode="r", offset=_NPY_HEADER, shape=(len(ids), dim))
    return ids, np.asarray(X)


def matrix_files(ws, model: str) -> tuple[Path, Path, Path]:
    """``(matrix, ids, meta)`` paths of a model's message matrix in the workspace."""
    d = ws.path / "vectors"
    return d / f"{model}.f32.npy", d / f"{model}.ids.npy", d / f"{model}.json"


def _current(conn: sqlite3.Connection, meta: dict, stamp: int, fm: Path, refresh: bool) -> bool:
    """Whether a matrix whose meta is ``meta`` matches the chunks of ``stamp``: its own stamp,
    or an older one when every chunk row added since belongs to other models (another model's
    run must not force this one's rebuild: for a model without a cache that re-encodes
    everything). Only rows after the file's stamp are scanned (the rowid range). With
    ``refresh`` the meta is brought to ``stamp``, so the next check is the equality."""
    old = meta.get("stamp")
    if old == stamp:
        return True
    if not isinstance(old, int) or old > stamp or conn.execute(
            "SELECT 1 FROM message_chunks WHERE rowid > ? AND model = ? LIMIT 1",
            (old, meta.get("model"))).fetchone():
        return False
    if refresh:
        try:
            fm.write_text(json.dumps({**meta, "stamp": stamp}))
        except OSError:
            pass
    return True


def _open_matrix(fx: Path, fi: Path, fm: Path, stamp: int, dim: int,
                 conn: sqlite3.Connection | None = None, refresh: bool = False):
    """The saved matrix when it matches ``stamp`` (see :func:`_current`, given ``conn``) and
    ``dim``, memory-mapped read-only; else None."""
    if not fm.exists():
        return None
    try:
        meta = json.loads(fm.read_text())
        if (meta.get("format"), meta.get("dim")) != (MATRIX_FORMAT, dim) or not (
                meta.get("stamp") == stamp
                or conn is not None and _current(conn, meta, stamp, fm, refresh)):
            return None
        ids = np.asarray(np.load(fi, mmap_mode="r"))
        X = np.asarray(np.load(fx, mmap_mode="r")) if len(ids) else np.zeros((0, dim), np.float32)
        if X.shape != (len(ids), dim) or X.dtype != np.float32:
            raise ValueError(f"shape {X.shape} {X.dtype}, expected ({len(ids)}, {dim}) float32")
        return ids, X
    except (OSError, ValueError) as e:
        log.warning("vector file %s unreadable (%s); rebuilding it", fx, e)
        return None


def _save_matrix(ws, emb, stamp: int) -> tuple[np.ndarray, np.ndarray]:
    """Build the matrix files of ``emb`` (written under temporary names, then renamed: a
    process that has the old file mapped keeps reading it) and map them."""
    model, dim = emb.name, emb.dim
    fx, fi, fm = matrix_files(ws, model)
    fx.parent.mkdir(exist_ok=True)
    tmp = [Path(tempfile.mkstemp(dir=fx.parent, prefix=f".{p.name}.", suffix=".tmp")[1])
           for p in (fx, fi)]
    try:
        with tmp[0].open("r+b") as fh:
            ids = _write_matrix(_batches(ws.db, emb, ws.config["batch_size"]), dim, fh)
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


class Appender:
    """Adds the rows of newly embedded messages to the end of the saved message matrix, in the
    stage, from the vectors it has in hand: no re-read of every chunk vector after each ingest.

    Only when there is a saved matrix (or none and nothing was embedded); otherwise ``ok`` is
    false and the stage rebuilds the matrix. A saved matrix behind the chunks (a run killed
    after committing chunk rows, before its rows reached the file) is repaired: the messages
    chunked since the file's stamp are listed in ``redo`` (the stage embeds them again) and
    their old rows are dropped. Rows go to a temporary file first; when every new message comes
    after the last row and none is dropped, :meth:`finish` appends them to the matrix file in
    place (beyond what other processes have mapped) and then rewrites the header; otherwise
    (changed messages) it merges them with the kept rows into a new file, by id: neither case
    reads a chunk vector again (a model without a cache would have to re-encode them)."""

    def __init__(self, ws, emb) -> None:
        self.ok, self.tmp, self.fh = False, None, None
        self.redo: list[str] = []  # keys of messages to embed again (see the class docstring)
        if ws.readonly:
            return
        self.model, self.dim = emb.name, emb.dim
        self.fx, self.fi, self.fm = matrix_files(ws, emb.name)
        stamp = _stamp(ws.db)
        base = _open_matrix(self.fx, self.fi, self.fm, stamp, emb.dim, ws.db, True)
        self.dropped: list[np.ndarray] = []
        if base is None and stamp:
            base = self._behind(ws.db, stamp)
            if base is None:
                return
        self.base_ids = base[0] if base else np.zeros(0, np.int64)
        self.last = int(self.base_ids[-1]) if len(self.base_ids) else -(2 ** 63)
        self.in_order = True
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

    def _behind(self, conn: sqlite3.Connection, stamp: int):
        """The saved matrix when it is only behind this model's chunk rows (each message's rows
        are written in one transaction, so the messages with a row after the file's stamp are
        exactly those chunked since); their keys go to ``redo``, their ids to the dropped."""
        try:
            meta = json.loads(self.fm.read_text())
        except (OSError, ValueError):
            return None
        old = meta.get("stamp")
        if not isinstance(old, int) or old > stamp or meta.get("model") != self.model:
            return None
        base = _open_matrix(self.fx, self.fi, self.fm, old, self.dim)
        if base is None:
            return None
        rows = conn.execute(
            "SELECT DISTINCT m.id, c.message_key FROM message_chunks c JOIN messages m "
            "ON m.key = c.message_key WHERE c.rowid > ? AND c.model = ?",
            (old, self.model)).fetchall()
        self.redo = [k for _, k in rows]
        self.dropped.append(np.array([i for i, _ in rows], np.int64))
        log.info("vector file %s is behind %d messages: they are embedded again", self.fx,
                 len(rows))
        return base

    def add(self, ids: list[int], counts: list[int], vecs: np.ndarray) -> None:
        """Rows for messages ``ids`` (ascending) from their chunk vectors ``vecs`` (``counts``
        rows per message, in order); a message's new row replaces its saved one."""
        if not self.ok or not ids:
            return
        if ids[0] <= self.last:
            self.in_order = False
        starts = np.r_[0, np.cumsum(counts)[:-1]]
        self.fh.write(memoryview(np.ascontiguousarray(unit_means(vecs, starts), dtype="<f4")))
        self.ids.append(np.asarray(ids, np.int64))
        self.last = max(self.last, ids[-1])

    def drop(self, ids: list[int]) -> None:
        """Messages whose saved rows are out of date (changed: a new row may follow)."""
        if self.ok and ids:
            self.dropped.append(np.asarray(ids, np.int64))

    def _merge(self, new: np.ndarray) -> np.ndarray:
        """Write the kept saved rows and the new rows, in id order, into a new matrix file
        (temporary name, then renamed over the old one); returns the ids."""
        gone = np.concatenate([new, *self.dropped])
        keep = np.flatnonzero(~np.isin(self.base_ids, gone))
        ids = np.concatenate([self.base_ids[keep], new])
        order = np.argsort(ids, kind="stable")
        nk, row = len(keep), 4 * self.dim
        self.fh.flush()
        fresh = (np.memmap(self.tmp, "<f4", "r", offset=_NPY_HEADER, shape=(len(new), self.dim))
                 if len(new) else np.zeros((0, self.dim), np.float32))
        old = (np.load(self.fx, mmap_mode="r") if nk else np.zeros((0, self.dim), np.float32))
        fd, name = tempfile.mkstemp(dir=self.fx.parent, prefix=f".{self.fx.name}.")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(_npy_header(len(ids), self.dim))
                for a in range(0, len(order), MATRIX_BATCH):
                    part = order[a:a + MATRIX_BATCH]
                    rows = np.empty((len(part), self.dim), np.float32)
                    mine = part < nk
                    rows[mine] = old[keep[part[mine]]]
                    rows[~mine] = fresh[part[~mine] - nk]
                    out.write(memoryview(rows))
                if out.tell() != _NPY_HEADER + len(ids) * row:
                    raise ValueError(f"merged vector file {name} has {out.tell()} bytes, "
                                     f"expected {_NPY_HEADER + len(ids) * row}")
            os.replace(name, self.fx)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        return ids[order]

    def finish(self, ws) -> tuple[np.ndarray, np.ndarray] | None:
        """Write the grown matrix and its ids and stamp; None when appending was given up."""
        if not self.ok:
            return None
        new = np.concatenate(self.ids) if self.ids else np.zeros(0, np.int64)
        n0, n = len(self.base_ids), len(self.base_ids) + len(new)
        row = 4 * self.dim
        try:
            if not self.in_order or self.dropped:
                all_ids = self._merge(new)
                n = len(all_ids)
            elif n0 == 0:
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
                np.save(fh, all_ids if not self.in_order or self.dropped
                        else np.concatenate([self.base_ids, new]))
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


def load_matrix(ws, emb, *, rebuild: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``(ids, X)``: ``messages.id`` (ascending) and a float32 unit row per message embedded
    by ``emb`` (anything with a ``name`` and a ``dim``; and ``encode`` when it does not cache
    its vectors, see :func:`caches`).

    ``X`` is a read-only memory map of ``<workspace>/vectors/<model>.f32.npy``: processes share
    its pages and none holds a private copy. The file is rebuilt (streaming, bounded memory)
    when the chunks changed since it was written, or with ``rebuild``."""
    stamp = _stamp(ws.db)
    ck = (str(ws.db_path), emb.name)
    hit = _MATRICES.get(ck)
    if hit and hit[0] == stamp and not rebuild:
        return hit[1], hit[2]
    got = None if rebuild else _open_matrix(*matrix_files(ws, emb.name), stamp, emb.dim, ws.db,
                                            not ws.readonly)
    if got is None and not ws.readonly:
        try:
            got = _save_matrix(ws, emb, stamp)
        except OSError as e:
            log.warning("cannot save the vector file of %s in %s: %s", emb.name, ws.path, e)
    if got is None:
        got = _compute_matrix(ws, emb)
    _MATRICES[ck] = (stamp, *got)
    return got


def forget_mapped() -> None:
    """Drop this process's memo of mapped matrices (the next :func:`load_matrix` reads the
    files again, as a fresh process would)."""
    _MATRICES.clear()
