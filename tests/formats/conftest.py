"""Helpers for the format tests: ingest into a fresh workspace and read counts back."""
from __future__ import annotations

import pytest

from miner.workspace import Workspace


@pytest.fixture
def ingest(tmp_path):
    """``ingest(*specs, **kw) -> (workspace, report)`` into a fresh workspace per test."""
    made = []

    def run(*specs, ws=None, **kw):
        if ws is None:
            ws = Workspace.open(tmp_path / f"ws{len(made)}", create=True)
            made.append(ws)
        return ws, ws.ingest([str(s) for s in specs], **kw)

    yield run
    for ws in made:
        ws.close()


def count(ws, sql: str, *args) -> int:
    return ws.db.execute(sql, args).fetchone()[0]


def stored(ws) -> int:
    return count(ws, "SELECT count(*) FROM messages")


def quarantined(ws) -> int:
    return count(ws, "SELECT count(*) FROM quarantine")


def adapter_for(path) -> str:
    """The format detection picks for ``path`` (no --format)."""
    from pathlib import Path

    from miner.ingest import formats
    from miner.ingest.containers import open_members

    for name, stream in open_members(Path(path)):
        return formats.detect_file(stream.peek_head(), name).name
    raise AssertionError("no member")


from pathlib import Path  # noqa: E402

DEMO = Path(__file__).resolve().parent.parent.parent / "corpora" / "demo"
DATA_FORMATS = Path(__file__).resolve().parent.parent / "data" / "formats"


def accounted(ws, rep) -> int:
    """Items of the source that the run accounted for: stored + quarantined + duplicates,
    with each digest counted once (it was expanded into its parts)."""
    extra = count(ws, "SELECT coalesce(sum(items - 1), 0) FROM sources WHERE format='digest'")
    return stored(ws) + quarantined(ws) + rep.duplicates - extra
