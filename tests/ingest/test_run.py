"""The ingest orchestrator: idempotent, incremental, nothing lost, clear errors."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from miner import Workspace
from miner.errors import MinerError, StrictModeError

MSG = """From {addr} Mon Mar  2 10:00:00 2020
From: {name} <{addr}>
To: cop@lists.example.org
Subject: {subject}
Date: Mon, 2 Mar 2020 10:{minute:02d}:00 +0000
Message-ID: <{mid}@example.org>
{extra}Content-Type: text/plain; charset=utf-8

{body}

"""


def _msg(i, subject="Budget hearings", reply_to=None, name="Ana López", addr="ana@example.org",
         body=None):
    extra = ""
    if reply_to is not None:
        extra = f"In-Reply-To: <m{reply_to}@example.org>\nReferences: <m{reply_to}@example.org>\n"
        subject = "Re: " + subject
    return MSG.format(addr=addr, name=name, subject=subject, minute=i, mid=f"m{i}",
                      extra=extra, body=body or f"Message number {i} about participatory budgets.")


def write_mbox(path: Path, msgs: list[str]) -> Path:
    path.write_text("".join(msgs), encoding="utf-8")
    return path


@pytest.fixture
def ws(tmp_path):
    w = Workspace.open(tmp_path / "ws", create=True)
    yield w
    w.close()


def test_ingest_twice_adds_nothing_and_overlap_is_stored_once(ws, tmp_path):
    a = write_mbox(tmp_path / "a.mbox", [_msg(1), _msg(2, reply_to=1, name="Ben Okafor",
                                                       addr="ben@example.net"), _msg(3)])
    b = write_mbox(tmp_path / "b.mbox", [_msg(3), _msg(4, reply_to=3)])
    r1 = ws.ingest([str(a)])
    assert (r1.messages_seen, r1.added, r1.duplicates, r1.quarantined) == (3, 3, 0, 0)
    r2 = ws.ingest([str(a)])
    assert (r2.added, r2.duplicates) == (0, 3)
    r3 = ws.ingest([str(b)])
    assert (r3.added, r3.duplicates) == (1, 1)
    n = ws.db.execute("SELECT count(*) FROM messages").fetchone()[0]
    assert n == 4
    assert r3.threads == 2  # m1<-m2 and m3<-m4
    parent = ws.db.execute("SELECT p.message_id FROM messages m JOIN messages p ON "
                           "p.key = m.parent_key WHERE m.message_id='m4@example.org'").fetchone()
    assert parent[0] == "m3@example.org"
    assert r3.people == 2


def test_digest_of_table_and_report_shape(ws, tmp_path):
    a = write_mbox(tmp_path / "a.mbox", [_msg(1)])
    d = ws.ingest([str(a)]).as_dict()
    for k in ("sources", "messages_seen", "added", "duplicates", "repaired", "quarantined",
              "threads", "people", "errors"):
        assert k in d
    assert d["sources"] == [str(a)]


def test_missing_path_is_a_clear_error(ws, tmp_path):
    with pytest.raises(MinerError) as e:
        ws.ingest([str(tmp_path / "nope.mbox")])
    assert "nope.mbox" in str(e.value)


def test_unparseable_source_is_reported_and_others_go_on(ws, tmp_path):
    good = write_mbox(tmp_path / "good.mbox", [_msg(1)])
    binary = tmp_path / "blob.bin"
    binary.write_bytes(bytes(range(256)) * 64)
    r = ws.ingest([str(binary), str(good)])
    assert r.added == 1
    assert any("blob.bin" in e.source for e in r.errors)


def test_strict_mode_makes_quarantine_fatal(ws, tmp_path, monkeypatch):
    from miner.ingest import mime

    a = write_mbox(tmp_path / "a.mbox", [_msg(1), _msg(2)])
    real = mime.parse_bytes

    def flaky(raw, **kw):
        if b"m2@" in raw:
            raise mime.ParseFailure("simulated damage")
        return real(raw, **kw)

    monkeypatch.setattr(mime, "parse_bytes", flaky)
    r = ws.ingest([str(a)])
    assert (r.added, r.quarantined) == (1, 1)
    assert r.added + r.quarantined == r.messages_seen
    q = ws.db.execute("SELECT reason, \"where\" FROM quarantine").fetchall()
    assert q[0][0] == "simulated damage"
    with pytest.raises(StrictModeError) as e:
        ws.ingest([str(a)], strict=True)
    assert "a.mbox" in str(e.value)


def test_cli_ingest_json_and_export(tmp_path):
    a = write_mbox(tmp_path / "a.mbox", [_msg(1), _msg(2, reply_to=1, name="Ben Okafor",
                                                       addr="ben@example.net")])
    ws = tmp_path / "ws"
    run = lambda *args: subprocess.run(
        [sys.executable, "-m", "miner.cli", *args, "--workspace", str(ws)],
        capture_output=True, text=True, check=False)
    p = run("ingest", str(a), "--json")
    assert p.returncode == 0, p.stderr
    rep = json.loads(p.stdout)
    assert rep["added"] == 2 and rep["threads"] == 1
    p = run("export", "messages", "--format", "jsonl")
    rows = [json.loads(line) for line in p.stdout.splitlines()]
    assert [r["message_id"] for r in rows] == ["m1@example.org", "m2@example.org"]
    assert rows[1]["parent_id"] == "m1@example.org"
    assert rows[0]["thread_id"] == rows[1]["thread_id"]
    assert rows[0]["date"].startswith("2020-03-02T10:01:00")
    p = run("threads", "--json")
    threads = json.loads(p.stdout)
    assert threads[0]["messages"] == 2 and threads[0]["root_message_id"] == "m1@example.org"
    p = run("ingest", str(tmp_path / "missing.mbox"))
    assert p.returncode == 1 and "missing.mbox" in p.stderr and len(p.stderr.splitlines()) == 1
