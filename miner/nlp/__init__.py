"""Cached model loaders. Every loader takes a local path; a hub download is never attempted.

Nothing heavy is imported here: torch, sentence-transformers and model2vec are imported inside
the loaders, on first use.

    >>> from miner.nlp import HashingEmbedder
    >>> e = HashingEmbedder(dim=64)
    >>> e.encode(["youth participation", "elections"]).shape
    (2, 64)
"""
from __future__ import annotations

from miner.nlp.embedders import (
    Embedder,
    HashingEmbedder,
    MiniLMEmbedder,
    StaticEmbedder,
    cache_dir,
    load_embedder,
    load_minilm,
    load_static,
    minilm_path,
    static_model_path,
)

__all__ = [
    "Embedder",
    "HashingEmbedder",
    "MiniLMEmbedder",
    "StaticEmbedder",
    "cache_dir",
    "load_embedder",
    "load_minilm",
    "load_static",
    "minilm_path",
    "static_model_path",
]
