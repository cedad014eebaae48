"""``search()``: the two rankings (keyword and dense), fused, then turned into hits."""
from __future__ import annotations

import logging

import numpy as np

from miner.errors import StageError
from miner.stages import embeddings as E
from miner.stages.search.dense import cos_lookup, dense_ranking, query_vector
from miner.stages.search.fusion import fuse, fusion_for
from miner.stages.search.hits import message_hits, thread_hits
from miner.stages.search.keyword import keyword_index, keyword_ranking
from miner.stages.search.query import QueryError, allowed_ids, filters, query_terms
from miner.types import SearchHit

log = logging.getLogger(__name__)

MODES = ("hybrid", "semantic", "keyword")
POOL = 100  # candidates taken from each ranking before fusion
THREAD_POOL = 300  # messages ranked to build thread results


def search(ws, query: str, *, k: int = 10, mode: str = "hybrid", list_name: str | None = None,
           since=None, until=None, author: str | None = None, threads: bool = False,
           before=None, embedder=None) -> list[SearchHit]:
    """The ``k`` best messages (or threads) for ``query``.

    Filters: ``list_name``; ``since``/``until`` (inclusive dates: ``2020``, ``2020-05``,
    ``2020-05-31`` or a datetime); ``before`` (strictly earlier than this date-time); ``author``
    (a name or e-mail substring, or a person id). ``threads=True`` ranks threads by their best
    messages. An empty query gives no hits."""
    if mode not in MODES:
        raise QueryError(f"unknown search mode {mode!r}; choose one of: {', '.join(MODES)}")
    k = max(0, int(k))
    query = query or ""
    terms = query_terms(query)
    if k == 0 or not query.strip():
        return []
    conn = ws.db
    where, args = filters(conn, list_name, since, until, author, before)
    pool = max(POOL, 3 * k) if not threads else max(THREAD_POOL, 30 * k)
    ranked = rank(ws, query, terms, mode, where, args, pool, embedder)
    if threads:
        return thread_hits(ws, ranked, k, terms)
    return message_hits(conn, ranked[:k], terms)


def rank(ws, query, terms, mode, where, args, pool, embedder) -> list[tuple[int, float]]:
    """``(messages.id, score)`` best first, ``pool`` of them per ranking before fusion."""
    conn = ws.db
    allowed = allowed_ids(conn, where, args)
    kw: list[tuple[int, float]] = []
    if mode != "semantic":
        keyword_index(conn, save=not ws.readonly)  # brought up to date (saved if writable)
        kw = keyword_ranking(conn, terms, where, args, pool, allowed=allowed)
        if mode == "keyword":
            return kw
    emb = embedder or E.embedder_for_search(ws)
    ids, X = E.load_matrix(ws, emb) if emb is not None else (np.zeros(0), None)
    if len(ids) == 0:
        if mode == "semantic":
            raise StageError("no message is embedded yet; run 'miner analyze embeddings' "
                             "(or search with --mode keyword)")
        log.warning("no embeddings yet: hybrid search falls back to keywords")
        return kw
    q = query_vector(ws, query, emb)
    dense = dense_ranking(ws, q, ids, X, where, args, pool, emb, allowed=allowed)
    if mode == "semantic":
        return dense
    method, weight = fusion_for(emb.name)
    return fuse(dense, kw, cos_lookup(ids, X, q), weight, method=method)
