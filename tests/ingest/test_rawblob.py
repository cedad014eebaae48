"""Raw message blobs: new ones are Zstandard, old zlib ones stay readable."""
from __future__ import annotations

import zlib

from hypothesis import given
from hypothesis import strategies as st

from miner.store import rawblob


@given(st.binary(max_size=5000))
def test_round_trip(raw: bytes) -> None:
    blob = rawblob.compress(raw)
    assert blob.startswith(rawblob.ZSTD_MAGIC)
    assert rawblob.decompress(blob) == raw


@given(st.binary(max_size=5000), st.sampled_from([1, 6, 9]))
def test_old_zlib_blobs_still_read(raw: bytes, level: int) -> None:
    assert rawblob.decompress(zlib.compress(raw, level)) == raw


def test_ingest_stores_zstd_and_export_reads_it(tmp_path) -> None:
    from miner import Workspace
    from miner.export.messages import write_mbox

    raw = (b"From a@example.org Mon Jan  1 10:00:00 2024\nFrom: A <a@example.org>\n"
           b"Subject: hello\nMessage-ID: <m1@example.org>\nDate: Mon, 1 Jan 2024 10:00:00 +0000"
           b"\n\nHello list, caf\xc3\xa9.\n")
    src = tmp_path / "a.mbox"
    src.write_bytes(raw)
    ws = Workspace.open(tmp_path / "ws", create=True)
    ws.ingest([str(src)])
    blob = ws.db.execute("SELECT raw FROM raw_messages").fetchone()[0]
    assert blob.startswith(rawblob.ZSTD_MAGIC)
    assert rawblob.decompress(blob) == raw.split(b"\n", 1)[1]
    # an old workspace's zlib blob is exported the same way
    ws.db.execute("UPDATE raw_messages SET raw=?", (zlib.compress(rawblob.decompress(blob), 1),))
    out = tmp_path / "out.mbox"
    with open(out, "wb") as f:
        assert write_mbox(ws.db, f) == 1
    assert "Hello list, café." in out.read_text(encoding="utf-8")
