"""`miner people` commands (not written yet)."""
from __future__ import annotations


def register(app) -> None:
    return None
