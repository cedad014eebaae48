"""Many small sources (monthly archive files) are prepared in worker processes, each while
the one before it is stored: the corpus is the one a single process stores, in the same
order, and every source is marked done with its count (or failed with its reason)."""
from __future__ import annotations

import pytest

from miner import Workspace


def _month(m: int, n: int) -> bytes:
    out = []
    for i in range(n):
        out.append(
            b"From a%d@example.org Mon Jan  1 10:00:00 2024\nFrom: A%d <a%d@example.org>\n"
            b"Subject: month %d topic %d\nMessage-ID: <m%d-%d@example.org>\n"
            b"Date: Mon, %d Jan 2024 10:%02d:00 +0000\n\nHello, message %d of month %d.\n\n"
            b"-- \nA%d, Example Org\n\n"
            % (i % 5, i % 5, i % 5, m, i % 4, m, i if i % 9 else 0, m + 1, i % 60, i, m, i % 5))
    return b"".join(out)


def _ingest(tmp_path, name, folder, monkeypatch, workers: str):
    monkeypatch.setenv("MINER_INGEST_WORKERS", workers)
    ws = Workspace.open(tmp_path / name, create=True)
    rep = ws.ingest([str(folder)])
    rows = [tuple(r) for r in ws.db.execute(
        "SELECT id, key, text, signature, source_id FROM messages ORDER BY id")]
    sources = [tuple(r) for r in ws.db.execute(
        "SELECT id, name, status, items, error FROM sources ORDER BY id")]
    return rep, rows, sources


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "archive"
    d.mkdir()
    for m in range(12):
        (d / f"2024-{m + 1:02d}.mbox").write_bytes(_month(m, 20 + m))
    (d / "2024-13.mbox").write_bytes(_month(3, 25))  # re-sent messages: all duplicates
    return d


def test_same_corpus_as_one_process(tmp_path, folder, monkeypatch):
    one, rows_one, src_one = _ingest(tmp_path, "one", folder, monkeypatch, "1")
    two, rows_two, src_two = _ingest(tmp_path, "two", folder, monkeypatch, "2")
    assert rows_two == rows_one
    assert src_two == src_one
    assert all(status == "done" for _, _, status, _, _ in src_two)
    assert (two.added, two.duplicates, two.messages_seen) == \
        (one.added, one.duplicates, one.messages_seen)
    assert two.duplicates > 0 and two.per_source == one.per_source
