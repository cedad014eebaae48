"""Dense ranking: cosine of the query vector against the message vectors, exact (a matrix
product) up to ``ann_threshold`` vectors, through the hnswlib index (:mod:`.index`) beyond."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from miner.stages import embeddings as E
from miner.stages.search.query import allowed_ids

_QUERY_CACHE: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()


def query_vector(ws, text: str, embedder) -> np.ndarray:
    """The query's unit vector (cached per process: the same query costs nothing again)."""
    key = (embedder.name, text)
    v = _QUERY_CACHE.get(key)
    if v is None:
        v = E.embed_texts(ws, [text], embedder=embedder, store=False)[0]
        _QUERY_CACHE[key] = v
        if len(_QUERY_CACHE) > 512:
            _QUERY_CACHE.popitem(last=False)
    return v


def allowed_rows(conn, ids: np.ndarray, where: str, args: list,
                 allowed: np.ndarray | None = None) -> np.ndarray | None:
    """Rows of the matrix whose message passes the filters (None when there are none)."""
    if allowed is None:
        allowed = allowed_ids(conn, where, args)
    if allowed is None:
        return None
    rows = np.searchsorted(ids, allowed)
    ok = rows < len(ids)
    rows, allowed = rows[ok], allowed[ok]
    return rows[ids[rows] == allowed]


def top(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` highest scores, best first."""
    if len(scores) <= n:
        return np.argsort(-scores)
    part = np.argpartition(-scores, n)[:n]
    return part[np.argsort(-scores[part])]


_BLAS: list = []


def one_blas_thread():
    """A context in which BLAS uses one thread. A matrix-vector product is memory-bound:
    OpenBLAS's second thread only spins (measured: 10k x 256 costs 8 ms of CPU with 2 threads,
    1 ms with one plus ~1 ms for switching; 100k: 17.5 vs 14 ms)."""
    if not _BLAS:
        try:
            from threadpoolctl import ThreadpoolController

            _BLAS.append(ThreadpoolController())
        except ImportError:  # no threadpoolctl (it comes with scikit-learn): default threads
            _BLAS.append(None)
    from contextlib import nullcontext

    return _BLAS[0].limit(limits=1, user_api="blas") if _BLAS[0] is not None else nullcontext()


def exact_ranking(q: np.ndarray, ids: np.ndarray, X: np.ndarray, rows: np.ndarray | None,
                  n: int) -> list[tuple[int, float]]:
    """The exact top ``n`` by cosine (over ``rows`` of the matrix only, when given)."""
    with one_blas_thread():
        return _exact(q, ids, X, rows, n)


def _exact(q, ids, X, rows, n) -> list[tuple[int, float]]:
    if rows is None:
        s = X @ q
        t = top(s, n)
        return [(int(ids[i]), float(s[i])) for i in t]
    if len(rows) == 0:
        return []
    # a wide filter scores every row and picks after (no copy of the matrix); a narrow one
    # copies only its rows
    s = (X @ q)[rows] if len(rows) > len(ids) // 8 else X[rows] @ q
    t = top(s, n)
    return [(int(ids[rows[i]]), float(s[i])) for i in t]


def dense_ranking(ws, q: np.ndarray, ids: np.ndarray, X: np.ndarray, where: str, args: list,
                  n: int, embedder, *, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
    """``(messages.id, cosine)`` best first: exact, or through the ANN index when there are
    more than ``ann_threshold`` vectors (filters included, see :func:`.index.ann_query`)."""
    if len(ids) == 0:
        return []
    rows = allowed_rows(ws.db, ids, where, args, allowed)
    if len(ids) > int(ws.config["ann_threshold"]):
        from miner.stages.search.index import ann_query

        return ann_query(ws, embedder, ids, X, q, n, rows=rows)
    return exact_ranking(q, ids, X, rows, n)


def cos_lookup(ids: np.ndarray, X: np.ndarray, q: np.ndarray):
    """A function giving the cosines of some message ids (those with a vector)."""
    def lookup(wanted: list[int]) -> dict[int, float]:
        if not wanted or len(ids) == 0:
            return {}
        w = np.asarray(wanted, dtype=np.int64)
        rows = np.searchsorted(ids, w)
        ok = (rows < len(ids)) & (ids[np.minimum(rows, len(ids) - 1)] == w)
        if not ok.any():
            return {}
        s = X[rows[ok]] @ q
        return dict(zip(w[ok].tolist(), s.tolist()))
    return lookup
