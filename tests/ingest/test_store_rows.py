"""Storing prepared messages several worker batches at a time (run.STORE_ROWS) stores what
storing each batch as it came stored: same rows in the same order, same counts; and what
was prepared before a --strict failure is still stored."""
from __future__ import annotations

import pytest

from miner import Workspace
from miner.errors import StrictModeError
from miner.ingest import run


def _mbox(n: int, dup_every: int = 0, broken_at: int = -1) -> bytes:
    out = []
    for i in range(n):
        mid = i - 250 if dup_every and i % dup_every == 0 and i >= 250 else i  # re-sent
        if i == broken_at:
            out.append(b"From x@example.org Mon Jan  1 10:00:00 2024\nX-Junk: 1\n\nno mail header\n\n")
            continue
        out.append(
            b"From a%d@example.org Mon Jan  1 10:00:00 2024\nFrom: A%d <a%d@example.org>\n"
            b"Subject: topic %d\nMessage-ID: <m%d@example.org>\n"
            b"Date: Mon, 1 Jan 2024 10:%02d:00 +0000\n\nHello, message %d here.\n\n"
            % (i % 7, i % 7, i % 7, i % 13, mid, i % 60, i))
    return b"".join(out)


def _ingest(tmp_path, name, data, monkeypatch, store_rows, strict=False):
    monkeypatch.setattr(run, "STORE_ROWS", store_rows)
    monkeypatch.setattr(run, "BATCH", 100)
    monkeypatch.setenv("MINER_INGEST_WORKERS", "1")
    src = tmp_path / f"{name}.mbox"
    src.write_bytes(data)
    ws = Workspace.open(tmp_path / name, create=True)
    try:
        rep = ws.ingest([str(src)], strict=strict)
    except StrictModeError:
        rep = None
    rows = ws.db.execute("SELECT id, key, text FROM messages ORDER BY id").fetchall()
    return rep, [tuple(r) for r in rows]


def test_same_rows_as_one_batch_at_a_time(tmp_path, monkeypatch):
    data = _mbox(1300, dup_every=9)
    one, rows_one = _ingest(tmp_path, "one", data, monkeypatch, 1)
    many, rows_many = _ingest(tmp_path, "many", data, monkeypatch, 700)
    assert rows_many == rows_one
    assert (many.added, many.duplicates, many.messages_seen) == \
        (one.added, one.duplicates, one.messages_seen)
    assert one.duplicates > 50 and one.added + one.duplicates == 1300


@pytest.mark.parametrize("store_rows", [1, 700])
def test_strict_failure_keeps_what_came_before(tmp_path, monkeypatch, store_rows):
    data = _mbox(1000, broken_at=950)
    rep, rows = _ingest(tmp_path, f"s{store_rows}", data, monkeypatch, store_rows, strict=True)
    assert rep is None  # --strict raised
    assert len(rows) == 900  # the batches before the failing one (of 100) are all stored
