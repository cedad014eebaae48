"""HyperKitty exports, Google Groups / Takeout mboxes, groups.io zips (mbox variants)."""
from __future__ import annotations

import re
import zipfile

from .conftest import DATA_FORMATS, adapter_for, count, quarantined, stored


def _separators(data: bytes) -> int:
    return len(re.findall(rb"(?:^|\n)From \S+.*\d\d:\d\d", data))


def test_hyperkitty_sample(ingest, corpora):
    d = corpora / "perceval-fixtures" / "hyperkitty"
    n = sum(_separators(p.read_bytes()) for p in d.glob("*.mbox"))
    assert n == 4
    assert {adapter_for(p) for p in d.glob("*.mbox")} == {"hyperkitty"}
    ws, rep = ingest(d)
    assert stored(ws) + quarantined(ws) == n
    # pipermail-style "user at domain" addresses are un-obfuscated
    assert count(ws, "SELECT count(*) FROM messages WHERE from_email LIKE '%@%'") == n


def test_hyperkitty_permalink(ingest, tmp_path):
    from miner.ingest.hyperkitty import message_hash

    f = tmp_path / "gov-2024-01.mbox"
    f.write_bytes(
        b"From a@example.org Mon Jan  1 10:00:00 2024\nFrom: a@example.org\nSubject: s\n"
        b"Date: Mon, 1 Jan 2024 10:00:00 +0000\nMessage-ID: <m1@example.org>\n"
        b"List-Archive: <https://lists.example.org/hyperkitty/list/gov@lists.example.org/>\n"
        b"\nhello\n")
    assert adapter_for(f) == "hyperkitty"
    ws, _ = ingest(f)
    link = ws.db.execute("SELECT permalink FROM messages").fetchone()[0]
    assert link == ("https://lists.example.org/hyperkitty/list/gov@lists.example.org/message/"
                    f"{message_hash('m1@example.org')}/")


def test_googlegroups_sample(ingest, corpora):
    f = corpora / "open-iscsi-googlegroups" / "open-iscsi-nonpatch-2019_2026.mbox"
    n = len(re.findall(rb"(?:^|\n)From MAILER-DAEMON ", f.read_bytes()))
    assert n == 303
    assert adapter_for(f) == "googlegroups"
    ws, rep = ingest(f)
    assert stored(ws) + quarantined(ws) + rep.duplicates == n
    assert count(ws, "SELECT count(*) FROM messages WHERE list = 'open-iscsi'") == stored(ws)
    assert count(ws, "SELECT count(*) FROM messages WHERE parent_key IS NOT NULL") >= 150


def test_takeout_thread_id_links_replies(ingest):
    f = DATA_FORMATS / "takeout.mbox"
    assert adapter_for(f) == "googlegroups"
    ws, _ = ingest(f)
    assert ws.db.execute("SELECT parent_key FROM messages WHERE key='t2@example.org'"
                         ).fetchone()[0] == "t1@example.org"


def test_groupsio_sample(ingest, corpora):
    z = corpora / "perceval-fixtures" / "groupsio" / "messages.zip"
    with zipfile.ZipFile(z) as zf:
        n = _separators(zf.read("messages.mbox"))
    assert n == 49
    assert adapter_for(z) == "groupsio"
    ws, rep = ingest(z)
    assert stored(ws) + quarantined(ws) + rep.duplicates == n
