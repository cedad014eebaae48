"""The approximate vector index (hnswlib), persistent and incremental.

Chosen by measurement (100k static 256-d vectors, ``benchmarks/bench_search.py latency``):
hnswlib M=16, ef_construction=100, ef=800 answers a top-100 in ~2 ms of CPU at >= 90 %
recall@10 against the exact product.

:func:`update_index` (called at the end of the embeddings stage, and lazily by the query path
whenever the vectors changed) builds the index once the workspace holds more than
``ann_threshold`` vectors, saves it in ``<workspace>/vectors/<model>.hnsw`` and afterwards only
adds the vectors of new messages (``resize_index`` + ``add_items``) and marks those of removed
ones deleted. Filtered queries stay approximate: see :func:`ann_query`.
"""
from __future__ import annotations

import json
import logging
import os
import threading

import numpy as np

from miner.stages import embeddings as E

log = logging.getLogger(__name__)

# ef 800: recall@10 92 % vs exact at 1.6 ms CPU per query on 100k static vectors (ef 200: 85 %)
ANN_M, ANN_EF_CONSTRUCTION, ANN_EF = 16, 100, 800
# Filtered queries, measured at 100k (CPU ms p50, top 100; recall@10 vs exact filtered):
#   10k rows allowed: exact over the rows 3.9, over-fetch 5.1 (0.94), hnswlib filter= 17.9 (0.98)
#   30k rows allowed: exact 14.8, over-fetch 2.6 (0.96), filter= 10.5 (0.98)
#   60k rows allowed: exact 14.6, over-fetch 2.8 (0.94), filter= 10.1 (0.95)
# (the filter= callback calls Python per visited node): exact up to ~12k rows, over-fetch above,
# the callback only when over-fetching would need too many neighbours or found too few.
EXACT_FILTER_ROWS = 12_000  # a filter this selective is scored exactly over its rows
MAX_OVERFETCH = 3_000  # wider filters: fetch up to this many neighbours and keep the allowed

_ANN: dict[tuple[str, str], tuple[object, tuple]] = {}  # (db, model) -> (index, ids signature)
# hnswlib must not add items while it answers a query (the app serves sessions from threads),
# and set_ef is per index: queries and updates take this lock (a query holds it ~2 ms).
_LOCK = threading.RLock()


def _signature(ids: np.ndarray) -> tuple[int, int, int]:
    """Which message ids the index holds, in three numbers (30 µs at 100k)."""
    return (len(ids), int(ids[-1]) if len(ids) else 0, int(ids.sum()))


def _paths(ws, model: str):
    d = ws.path / "vectors"
    return d / f"{model}.hnsw", d / f"{model}.hnsw.json"


def _hnswlib():
    try:
        import hnswlib
    except ImportError:
        from miner.errors import MissingDependencyError

        raise MissingDependencyError("hnswlib", "nlp") from None
    return hnswlib


def _sync(ws, emb, ids: np.ndarray, X: np.ndarray) -> tuple[object, dict]:
    """The index of ``(ids, X)``: from this process's cache, else loaded from the workspace
    (built only if missing), then brought up to date and saved if anything changed."""
    with _LOCK:
        return _sync_locked(ws, emb, ids, X)


def _sync_locked(ws, emb, ids: np.ndarray, X: np.ndarray) -> tuple[object, dict]:
    key = (str(ws.db_path), emb.name)
    cached = _ANN.get(key)
    sig = _signature(ids)
    if cached is not None and cached[1] == sig:
        return cached[0], {"done": "current"}
    hnswlib = _hnswlib()
    path, meta_path = _paths(ws, emb.name)
    deleted: set[int] = set()
    index = cached[0] if cached is not None else None
    if index is None and path.exists():
        try:
            meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
            if meta.get("dim", X.shape[1]) == X.shape[1]:
                index = hnswlib.Index(space="ip", dim=X.shape[1])
                index.load_index(str(path), max_elements=max(len(ids), 1))
                deleted = set(meta.get("deleted", []))
        except (RuntimeError, OSError, ValueError) as e:
            log.warning("the vector index %s cannot be read (%s); rebuilding it", path, e)
            index = None
    elif cached is not None and meta_path.exists():
        deleted = set(json.loads(meta_path.read_text()).get("deleted", []))
    built = index is None
    if built:
        index = hnswlib.Index(space="ip", dim=X.shape[1])
        index.init_index(max_elements=max(len(ids), 1), M=ANN_M,
                         ef_construction=ANN_EF_CONSTRUCTION, random_seed=int(ws.config["seed"]))
    have = np.asarray(index.get_ids_list(), dtype=np.int64)
    have.sort()
    new = np.flatnonzero(~np.isin(ids, have, assume_unique=True))
    revived = [i for i in ids[np.isin(ids, list(deleted))].tolist()] if deleted else []
    gone = [int(i) for i in have[~np.isin(have, ids, assume_unique=True)] if int(i) not in deleted]
    if len(new):
        if index.get_max_elements() < len(have) + len(new):
            index.resize_index(len(have) + len(new))
        index.add_items(X[new], ids[new])
    for i in revived:  # an id back after a deletion: its vector may have changed
        index.unmark_deleted(i)
        index.add_items(X[np.searchsorted(ids, [i])], [i])
        deleted.discard(i)
    for i in gone:
        index.mark_deleted(i)
        deleted.add(i)
    changed = built or len(new) or gone or revived
    if changed and not ws.readonly:
        try:
            path.parent.mkdir(exist_ok=True)
            tmp = path.with_suffix(".tmp")
            index.save_index(str(tmp))
            os.replace(tmp, path)
            meta_path.write_text(json.dumps({"model": emb.name, "dim": int(X.shape[1]),
                                             "vectors": len(ids), "deleted": sorted(deleted),
                                             "M": ANN_M, "ef_construction": ANN_EF_CONSTRUCTION}))
        except OSError as e:
            log.warning("cannot save the vector index %s: %s", path, e)
    index.set_ef(ANN_EF)
    _ANN[key] = (index, sig)
    return index, {"done": "built" if built else ("updated" if changed else "current"),
                   "added": len(new), "deleted": len(gone)}


def update_index(ws, embedder=None) -> dict:
    """Bring the workspace's search indexes up to date: the keyword (BM25) index, and the ANN
    index once there are more than ``ann_threshold`` vectors. Only new messages are added when
    nothing else changed. Call it at the end of the embeddings stage; the query path does the
    same lazily when it finds them stale, so results never depend on that call."""
    from miner.stages.search.keyword import update_keyword_index

    return {"keyword": update_keyword_index(ws), "vectors": update_vector_index(ws, embedder)}


def update_vector_index(ws, embedder=None) -> dict:
    """The ANN part of :func:`update_index` (a no-op report at or below ``ann_threshold``)."""
    emb = embedder or E.embedder_for_search(ws)
    if emb is None:
        return {"index": None, "vectors": 0}
    ids, X = E.load_matrix(ws, emb)
    thr = int(ws.config["ann_threshold"])
    if len(ids) <= thr:
        return {"index": "exact", "vectors": len(ids), "ann_threshold": thr}
    _, rep = _sync(ws, emb, ids, X)
    return {"index": "hnswlib", "vectors": len(ids), **rep}


def ann_index(ws, embedder, ids: np.ndarray, X: np.ndarray):
    """The up-to-date hnswlib index of ``(ids, X)`` (loaded once per process)."""
    return _sync(ws, embedder, ids, X)[0]


def ann_query(ws, embedder, ids: np.ndarray, X: np.ndarray, q: np.ndarray, n: int, *,
              rows: np.ndarray | None = None) -> list[tuple[int, float]]:
    """The ``n`` nearest messages by the ANN index. With a filter (``rows``: matrix rows
    allowed): a selective one (<= ``EXACT_FILTER_ROWS`` rows) is scored exactly over its
    rows; a wider one over-fetches ``n`` x (all / allowed) x 2 neighbours and keeps the
    allowed, falling back to hnswlib's ``filter`` callback when too few pass."""
    from miner.stages.search.dense import exact_ranking

    if rows is not None and len(rows) <= EXACT_FILTER_ROWS:
        return exact_ranking(q, ids, X, rows, n)
    index = ann_index(ws, embedder, ids, X)
    with _LOCK:
        return _query(index, ids, X, q, n, rows)


def _query(index, ids, X, q, n, rows) -> list[tuple[int, float]]:
    from miner.stages.search.dense import exact_ranking

    qv = q[None, :].astype(np.float32)
    if rows is None:
        labels, dist = index.knn_query(qv, k=min(n, len(ids)))
        return [(int(i), 1.0 - float(d)) for i, d in zip(labels[0], dist[0])]
    allowed = ids[rows]
    k = min(len(ids), int(2 * n * len(ids) / max(1, len(rows))) + n)
    if k <= MAX_OVERFETCH:
        index.set_ef(max(ANN_EF, k))
        try:
            labels, dist = index.knn_query(qv, k=k)
        finally:
            index.set_ef(ANN_EF)
        lab = labels[0].astype(np.int64)
        pos = np.minimum(np.searchsorted(allowed, lab), len(allowed) - 1)
        ok = allowed[pos] == lab
        if ok.sum() >= n:
            return [(int(i), 1.0 - float(d)) for i, d in zip(lab[ok][:n], dist[0][ok][:n])]
    keep = set(allowed.tolist())
    try:
        labels, dist = index.knn_query(qv, k=min(n, len(rows)), filter=keep.__contains__)
    except RuntimeError:  # hnswlib found fewer than k allowed neighbours
        return exact_ranking(q, ids, X, rows, n)
    return [(int(i), 1.0 - float(d)) for i, d in zip(labels[0], dist[0])]
