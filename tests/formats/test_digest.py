"""Digests are split into their messages and de-duplicated against individual copies."""
from __future__ import annotations

import json
import mailbox
from email.message import EmailMessage

from .conftest import DEMO, count, stored


def _demo_answers():
    return json.loads((DEMO / "answers.json").read_text())


def test_demo_mbox_digest_gives_each_message_once(ingest):
    answers = _demo_answers()
    ws, rep = ingest(DEMO / "gov-cop.mbox")
    assert stored(ws) == answers["counts"]["messages"] == 173
    digest = answers["digest"]
    assert count(ws, "SELECT count(*) FROM messages WHERE message_id=?",
                 digest["message_id"].strip("<>")) == 0
    assert count(ws, "SELECT count(*) FROM sources WHERE format='digest'") == 1
    for mid in digest["contained_message_ids"]:
        assert count(ws, "SELECT count(*) FROM messages WHERE message_id=?", mid.strip("<>")) == 1


def _digest_mbox(tmp_path, with_ids: bool):
    """A MIME digest of two messages, and the same two messages sent individually."""
    parts = []
    for i in (1, 2):
        m = EmailMessage()
        m["From"] = f"Member {i} <m{i}@example.org>"
        m["Subject"] = f"[cop] topic {i}"
        m["Date"] = f"Mon, {i} Jan 2024 10:00:00 +0000"
        if with_ids:
            m["Message-ID"] = f"<p{i}@example.org>"
        m.set_content(f"Answer number {i}: we ran pilots in {i} districts first.\n")
        parts.append(m)
    d = EmailMessage()
    d["From"] = "cop-request@example.org"
    d["Subject"] = "cop Digest, Vol 1, Issue 1"
    d["Date"] = "Tue, 2 Jan 2024 00:00:00 +0000"
    d["Message-ID"] = "<digest1@example.org>"
    d.set_content("Today's Topics:\n\n   1. topic 1\n   2. topic 2\n")
    d.add_attachment(parts[0])
    # rebuild as multipart/digest
    d2 = EmailMessage()
    for k in ("From", "Subject", "Date", "Message-ID"):
        d2[k] = d[k]
    d2.make_mixed()
    inner = EmailMessage()
    inner.set_type("multipart/digest")
    for p in parts:
        sub = EmailMessage()
        sub.set_type("message/rfc822")
        sub.set_payload([p])
        inner.attach(sub)
    d2.attach(inner)
    single = tmp_path / "single.mbox"
    digest = tmp_path / "digest.mbox"
    for path, msgs in ((single, parts), (digest, [d2])):
        box = mailbox.mbox(str(path))
        for m in msgs:
            box.add(m)
        box.close()
    return single, digest


def test_mime_digest_both_orders(ingest, tmp_path):
    for with_ids in (True, False):
        single, digest = _digest_mbox(tmp_path / str(with_ids), with_ids) if (
            tmp_path / str(with_ids)).mkdir() is None else (None, None)
        for order in ((single, digest), (digest, single)):
            ws, rep = ingest(*order)
            assert stored(ws) == 2, (with_ids, order)
            assert count(ws, "SELECT count(*) FROM messages WHERE subject LIKE '%Digest%'") == 0


def test_plain_text_digest_in_pipermail_and_mbox(ingest):
    # the demo's pipermail archive has no digest, its mbox has one: together still 173
    ws, rep = ingest(DEMO / "pipermail", DEMO / "gov-cop.mbox")
    assert stored(ws) == 173
