"""Search: hybrid ranking of messages (or threads) by meaning and by words.

    >>> hits = search(ws, "youth participation in elections", k=5)          # doctest: +SKIP
    >>> hits[0].highlighted()                                               # doctest: +SKIP
    'How do we get **youth** to **participate** in local **elections**? ...'

``mode="keyword"`` ranks by exact BM25 over subject and new text (a posting-list index kept
next to FTS5, :mod:`.postings`); ``"semantic"`` by cosine of message vectors (exact matrix
product up to ``ann_threshold`` vectors, a persistent hnswlib index beyond, :mod:`.index`);
``"hybrid"`` (default) fuses both rankings with the method and weight tuned for the embedding
model (:mod:`.fusion`).

The package by role: :mod:`.query` (terms, filters), :mod:`.keyword` and :mod:`.postings`
(keyword ranking), :mod:`.dense` and :mod:`.index` (dense ranking, the ANN index),
:mod:`.fusion`, :mod:`.hits` (rows, snippets, threads), :mod:`.similar` (more like this),
:mod:`.engine` (``search`` itself).
"""
from __future__ import annotations

from miner.stages.search.dense import allowed_rows as _allowed_rows
from miner.stages.search.dense import cos_lookup as _cos_lookup
from miner.stages.search.dense import dense_ranking
from miner.stages.search.dense import query_vector as _query_vector
from miner.stages.search.engine import MODES, POOL, THREAD_POOL, search
from miner.stages.search.fusion import DENSE_WEIGHT, FUSION, FUSION_DEFAULT, RRF_K, fuse, fusion_for
from miner.stages.search.hits import SNIPPET_CHARS, THREAD_SECOND, group_threads, make_snippet
from miner.stages.search.index import (
    ANN_EF,
    ANN_EF_CONSTRUCTION,
    ANN_M,
    ann_index,
    ann_query,
    update_index,
    update_vector_index,
)
from miner.stages.search.keyword import (
    COMMON_SHARE,
    KEYWORD_BUDGET,
    MAX_TERMS,
    SUBJECT_WEIGHT,
    doc_frequencies,
    fts_keyword_ranking,
    keyword_index,
    keyword_ranking,
    select_terms,
    update_keyword_index,
)
from miner.stages.search.query import (
    STOPWORDS,
    QueryError,
    allowed_ids,
    fts_expression,
    query_terms,
)
from miner.stages.search.query import filters as _filters
from miner.stages.search.similar import more_like_this, similar

__all__ = [
    "ANN_EF", "ANN_EF_CONSTRUCTION", "ANN_M", "COMMON_SHARE", "DENSE_WEIGHT", "FUSION",
    "FUSION_DEFAULT", "KEYWORD_BUDGET", "MAX_TERMS", "MODES", "POOL", "RRF_K", "SNIPPET_CHARS",
    "STOPWORDS", "SUBJECT_WEIGHT", "THREAD_POOL", "THREAD_SECOND", "QueryError", "_allowed_rows",
    "_cos_lookup", "_filters", "_query_vector", "allowed_ids", "ann_index", "ann_query",
    "dense_ranking", "doc_frequencies", "fts_expression", "fts_keyword_ranking", "fuse",
    "fusion_for", "group_threads", "keyword_index", "keyword_ranking", "make_snippet",
    "more_like_this", "query_terms", "search", "select_terms", "similar", "update_index",
    "update_keyword_index", "update_vector_index",
]
