"""miner: turn the archives of e-discussions into knowledge people can reuse.

The package imports nothing heavy at import time (no torch, spaCy, BERTopic or
sentence-transformers); models are loaded lazily by :mod:`miner.nlp`.

    >>> from miner import Workspace
    >>> ws = Workspace.open("miner-workspace")          # doctest: +SKIP
    >>> report = ws.ingest(["corpora/demo/governance-cop.mbox"])  # doctest: +SKIP
"""
from __future__ import annotations

__version__ = "0.1.0"

from miner.errors import MinerError
from miner.workspace import Workspace

__all__ = ["MinerError", "Workspace", "__version__"]
