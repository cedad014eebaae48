"""Read queries shared by the CLI, the app and the stages (no SQL elsewhere in the UI)."""
from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Iterator

from miner.errors import NotFoundError
from miner.types import Message, Thread


def _dt(s: str | None) -> datetime | None:
    return datetime.fromisoformat(s) if s else None


MESSAGE_COLUMNS = (
    "m.id, m.message_id, m.list, m.thread_id, p.message_id AS parent_mid, m.date, "
    "m.from_name, m.from_email, m.person_id, m.subject, m.text, m.quoted_text, m.signature, m.lang"
)
_MESSAGE_FROM = "messages m LEFT JOIN messages p ON p.key = m.parent_key"


def _message(r) -> Message:
    return Message(
        id=r[0], message_id=r[1], list=r[2], thread_id=r[3], parent_id=r[4], date=_dt(r[5]),
        author_name=r[6], author_email=r[7], person_id=r[8], subject=r[9], text=r[10],
        quoted_text=r[11], signature=r[12], lang=r[13],
    )


def iter_messages(conn: sqlite3.Connection, *, list_name: str | None = None,
                  thread_id: str | None = None) -> Iterator[Message]:
    where, args = [], []
    if list_name:
        where.append("m.list = ?")
        args.append(list_name)
    if thread_id:
        where.append("m.thread_id = ?")
        args.append(thread_id)
    sql = f"SELECT {MESSAGE_COLUMNS} FROM {_MESSAGE_FROM}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY m.date IS NULL, m.date, m.id"
    for r in conn.execute(sql, args):
        yield _message(r)


def get_message(conn: sqlite3.Connection, message_id: str) -> Message:
    mid = message_id.strip().strip("<>")
    r = conn.execute(f"SELECT {MESSAGE_COLUMNS} FROM {_MESSAGE_FROM} WHERE m.message_id = ? "
                     "OR m.key = ? LIMIT 1", (mid, mid)).fetchone()
    if r is None:
        raise NotFoundError(f"no message with Message-ID {mid!r} in this workspace; "
                            "'miner export messages --json' lists them")
    return _message(r)


def _thread(r) -> Thread:
    return Thread(thread_id=r[0], subject=r[1] or "", start=_dt(r[2]), end=_dt(r[3]),
                  messages=r[4], participants=r[5], root_message_id=r[6] or "", list=r[7])


_THREAD_SQL = ("SELECT t.thread_id, t.subject, t.start, t.\"end\", t.messages, t.participants, "
               "r.message_id, t.list FROM threads t LEFT JOIN messages r ON r.key = t.root_key")


def list_threads(conn: sqlite3.Connection, *, list_name: str | None = None,
                 order: str = "start") -> list[Thread]:
    order_sql = {"start": "t.start", "messages": "t.messages DESC, t.start",
                 "recent": "t.\"end\" DESC"}[order]
    sql = _THREAD_SQL
    args: list = []
    if list_name:
        sql += " WHERE t.list = ?"
        args.append(list_name)
    sql += f" ORDER BY {order_sql}"
    return [_thread(r) for r in conn.execute(sql, args)]


def resolve_thread(conn: sqlite3.Connection, ref: str) -> Thread:
    """A thread by its id, or by the Message-ID of any message in it."""
    ref = ref.strip().strip("<>")
    r = conn.execute(_THREAD_SQL + " WHERE t.thread_id = ?", (ref,)).fetchone()
    if r is None:
        row = conn.execute("SELECT thread_id FROM messages WHERE message_id = ? OR key = ?",
                           (ref, ref)).fetchone()
        if row is not None:
            r = conn.execute(_THREAD_SQL + " WHERE t.thread_id = ?", (row[0],)).fetchone()
    if r is None:
        raise NotFoundError(f"no thread or message {ref!r} in this workspace; "
                            "'miner threads' lists the thread ids")
    return _thread(r)


def stats(conn: sqlite3.Connection) -> dict:
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    return {
        "messages": one("SELECT count(*) FROM messages"),
        "threads": one("SELECT count(*) FROM threads"),
        "people": one("SELECT count(*) FROM people"),
        "lists": [r[0] for r in conn.execute(
            "SELECT DISTINCT list FROM messages WHERE list IS NOT NULL ORDER BY list")],
        "sources": one("SELECT count(*) FROM sources"),
        "quarantined": one("SELECT count(*) FROM quarantine"),
        "first_date": one("SELECT min(date) FROM messages"),
        "last_date": one("SELECT max(date) FROM messages"),
        "attachments": one("SELECT count(*) FROM attachments"),
        "links": one("SELECT count(*) FROM links"),
        "languages": {r[0] or "unknown": r[1] for r in conn.execute(
            "SELECT lang, count(*) FROM messages GROUP BY lang ORDER BY count(*) DESC")},
    }
