"""Reliability: an ingest killed with SIGKILL and re-run gives the same corpus as an
uninterrupted run; readers query while an ingest writes without ever seeing 'database is
locked' or a half-written state."""
from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

N = 3000


def _digest(db: Path) -> str:
    conn = sqlite3.connect(db)
    h = hashlib.sha256()
    for row in conn.execute(
        "SELECT key, message_id, subject, from_email, date, text, quoted_text, signature, "
        "parent_key, thread_id, person_id FROM messages ORDER BY key"
    ):
        h.update(repr(tuple(row)).encode("utf-8", "surrogatepass"))
    for row in conn.execute("SELECT * FROM threads ORDER BY thread_id"):
        h.update(repr(tuple(row)).encode("utf-8", "surrogatepass"))
    for row in conn.execute("SELECT person_id, name, email FROM people ORDER BY person_id"):
        h.update(repr(tuple(row)).encode("utf-8", "surrogatepass"))
    conn.close()
    return h.hexdigest()


def _ingest_cmd(mbox: Path, ws: Path) -> list[str]:
    return [sys.executable, "-m", "miner.cli", "ingest", str(mbox), "--workspace", str(ws)]


@pytest.fixture(scope="module")
def archive(tmp_path_factory, gen_mbox_tool):
    d = tmp_path_factory.mktemp("crash")
    mbox = d / "g.mbox"
    subprocess.run([sys.executable, str(gen_mbox_tool), "--n", str(N), "--out", str(mbox),
                    "--truth", str(d / "t.jsonl")], check=True, stdout=subprocess.DEVNULL)
    ref = d / "ref"
    subprocess.run(_ingest_cmd(mbox, ref), check=True, capture_output=True)
    return mbox, _digest(ref / "corpus.sqlite")


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [0.8, 2.0, 4.0, 7.0])
def test_sigkill_then_rerun_gives_the_same_corpus(archive, tmp_path, kill_after):
    mbox, ref_digest = archive
    ws = tmp_path / "ws"
    p = subprocess.Popen(_ingest_cmd(mbox, ws), stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(kill_after)
    if p.poll() is None:
        os.killpg(p.pid, signal.SIGKILL)  # the writer and its worker processes
    p.wait()
    done = subprocess.run(_ingest_cmd(mbox, ws), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert _digest(ws / "corpus.sqlite") == ref_digest


READER = """
import sqlite3, sys, time, json
from miner import Workspace
from miner.store.queries import list_threads, stats
ws = Workspace.open(sys.argv[1], readonly=True)
seen, errors, last = 0, [], 0
t_end = time.time() + float(sys.argv[2])
while time.time() < t_end:
    try:
        s = stats(ws.db)
        list_threads(ws.db, order="messages")[:10]
        ws.db.execute("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'release'").fetchone()
        if s["messages"] < last:
            errors.append(f"count went down {last} -> {s['messages']}")
        last = s["messages"]
        seen += 1
    except Exception as e:
        errors.append(repr(e))
    time.sleep(0.02)
print(json.dumps({"queries": seen, "errors": errors[:5], "last": last}))
"""


@pytest.mark.slow
def test_readers_query_while_ingest_writes(archive, tmp_path):
    import json

    mbox, _ = archive
    ws = tmp_path / "ws"
    # a workspace must exist before a read-only reader can open it
    subprocess.run([sys.executable, "-m", "miner.cli", "stats", "--workspace", str(ws)],
                   capture_output=True)
    from miner import Workspace

    Workspace.open(ws, create=True).close()
    writer = subprocess.Popen(_ingest_cmd(mbox, ws), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    reader = subprocess.run([sys.executable, "-c", READER, str(ws), "12"], capture_output=True,
                            text=True)
    _, werr = writer.communicate(timeout=600)
    assert writer.returncode == 0, werr
    assert "locked" not in werr
    out = json.loads(reader.stdout.strip().splitlines()[-1])
    assert out["errors"] == [], out
    assert out["queries"] > 10
