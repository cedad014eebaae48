"""Export every message with its cleaning, threading and identity (../shared/CLI.md)."""
from __future__ import annotations

import csv
import json
import sqlite3
from email.utils import format_datetime
from typing import IO, Iterator

from miner.store import rawblob

FIELDS = ("message_id", "list", "thread_id", "parent_id", "date", "author_name", "author_email",
          "person_id", "subject", "text", "quoted_text", "signature", "lang")


def message_rows(conn: sqlite3.Connection, *, list_name: str | None = None) -> Iterator[dict]:
    from miner.store.queries import iter_messages

    for m in iter_messages(conn, list_name=list_name):
        yield {
            "message_id": m.message_id, "list": m.list, "thread_id": m.thread_id,
            "parent_id": m.parent_id, "date": m.date.isoformat() if m.date else None,
            "author_name": m.author_name, "author_email": m.author_email,
            "person_id": m.person_id, "subject": m.subject, "text": m.text,
            "quoted_text": m.quoted_text, "signature": m.signature, "lang": m.lang,
        }


def write_jsonl(rows, out: IO[str]) -> int:
    n = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False))
        out.write("\n")
        n += 1
    return n


def write_csv(rows, out: IO[str]) -> int:
    w = csv.DictWriter(out, fieldnames=FIELDS, extrasaction="ignore")
    w.writeheader()
    n = 0
    for row in rows:
        w.writerow({k: _csv_safe(v) for k, v in row.items()})
        n += 1
    return n


def _csv_safe(v):
    # Spreadsheet formula injection: a cell starting with = + - @ is shown as text.
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v
    return v


def write_mbox(conn: sqlite3.Connection, out: IO[bytes], *, list_name: str | None = None,
               keys: list[str] | None = None) -> int:
    """The original bytes of each message (mboxrd-escaped), in date order."""
    sql = ("SELECT m.key, m.date, m.from_email, r.raw, m.body, m.subject, m.from_name, "
           "m.message_id FROM messages m LEFT JOIN raw_messages r ON r.key = m.key")
    args: list = []
    if list_name:
        sql += " WHERE m.list = ?"
        args.append(list_name)
    sql += " ORDER BY m.date IS NULL, m.date, m.id"
    wanted = set(keys) if keys is not None else None
    n = 0
    for key, date, frm, raw, body, subject, name, mid in conn.execute(sql, args):
        if wanted is not None and key not in wanted:
            continue
        from datetime import datetime

        d = datetime.fromisoformat(date) if date else None
        if raw is not None:
            data = rawblob.decompress(raw)
        else:
            from email.message import EmailMessage

            msg = EmailMessage()
            msg["From"] = f"{name} <{frm}>" if name else frm
            msg["Subject"] = subject
            msg["Message-ID"] = f"<{mid}>"
            if d:
                msg["Date"] = format_datetime(d)
            msg.set_content(body)
            data = msg.as_bytes()
        stamp = d.strftime("%a %b %d %H:%M:%S %Y") if d else "Thu Jan  1 00:00:00 1970"
        out.write(f"From {frm or 'unknown'} {stamp}\n".encode("utf-8", "replace"))
        for line in data.replace(b"\r\n", b"\n").split(b"\n"):
            if line.lstrip(b">").startswith(b"From "):
                line = b">" + line
            out.write(line + b"\n")
        out.write(b"\n")
        n += 1
    return n
