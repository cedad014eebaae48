"""Read queries the app needs beyond :mod:`miner.store.queries` (overview figures, the thread
viewer's participants, filter choices, stage status). Each returns records, never rows.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from miner.types import Person, Thread


@dataclass(frozen=True, slots=True)
class MonthActivity:
    period: str  # YYYY-MM
    messages: int
    threads: int  # threads started that month
    people: int  # distinct authors that month


@dataclass(frozen=True, slots=True)
class Unanswered:
    """A post nobody replied to: the only message of its thread."""

    thread_id: str
    message_id: str
    subject: str
    author_name: str
    person_id: int | None
    date: datetime | None
    list: str | None


@dataclass(frozen=True, slots=True)
class StageRun:
    stage: str
    status: str  # done | running | failed
    finished: str | None
    report: dict


def _dt(s: str | None) -> datetime | None:
    return datetime.fromisoformat(s) if s else None


def activity_by_month(conn: sqlite3.Connection, *,
                      list_name: str | None = None) -> list[MonthActivity]:
    """Messages, new threads and distinct authors per calendar month (UTC), oldest first."""
    where, args = "WHERE date IS NOT NULL", []
    if list_name:
        where += " AND list = ?"
        args.append(list_name)
    started = {r[0]: r[1] for r in conn.execute(
        "SELECT substr(start, 1, 7), count(*) FROM threads WHERE start IS NOT NULL"
        + (" AND list = ?" if list_name else "") + " GROUP BY 1", args)}
    return [MonthActivity(p, n, started.get(p, 0), a) for p, n, a in conn.execute(
        f"SELECT substr(date, 1, 7) AS p, count(*), count(DISTINCT person_id) FROM messages "
        f"{where} GROUP BY p ORDER BY p", args)]


def top_threads(conn: sqlite3.Connection, limit: int = 10) -> list[Thread]:
    """The threads with most messages (then most people)."""
    from miner.store.queries import _THREAD_SQL, _thread

    return [_thread(r) for r in conn.execute(
        _THREAD_SQL + " ORDER BY t.messages DESC, t.participants DESC, t.start LIMIT ?",
        (int(limit),))]


def recent_threads(conn: sqlite3.Connection, limit: int = 200, *,
                   query: str | None = None) -> list[Thread]:
    """Threads by latest activity; ``query`` filters on the subject (substring)."""
    from miner.store.queries import _THREAD_SQL, _thread

    sql, args = _THREAD_SQL, []
    if query:
        sql += " WHERE t.subject LIKE ?"
        args.append(f"%{query}%")
    sql += ' ORDER BY t."end" DESC LIMIT ?'
    args.append(int(limit))
    return [_thread(r) for r in conn.execute(sql, args)]


def unanswered(conn: sqlite3.Connection, limit: int = 20) -> list[Unanswered]:
    """The most recent posts that got no reply (threads of one message, digests left out)."""
    rows = conn.execute(
        "SELECT t.thread_id, m.message_id, m.subject, m.from_name, m.person_id, m.date, m.list "
        "FROM threads t JOIN messages m ON m.key = t.root_key "
        "WHERE t.messages = 1 AND m.digest_of IS NULL AND m.subject NOT LIKE '%Digest, Vol%' "
        "ORDER BY m.date DESC LIMIT ?", (int(limit),))
    return [Unanswered(r[0], r[1], r[2] or "", r[3] or "", r[4], _dt(r[5]), r[6]) for r in rows]


def thread_participants(conn: sqlite3.Connection, thread_id: str) -> list[Person]:
    """The people of a thread with their affiliation; ``messages`` counts their posts in it."""
    rows = conn.execute(
        "SELECT m.person_id, coalesce(p.name, m.from_name), p.email, p.organisation, p.title, "
        "p.country, count(*) FROM messages m LEFT JOIN people p ON p.person_id = m.person_id "
        "WHERE m.thread_id = ? GROUP BY coalesce(m.person_id, m.from_email) "
        "ORDER BY min(m.date)", (thread_id,))
    return [Person(person_id=r[0] if r[0] is not None else -1, name=r[1] or "",
                   emails=(r[2],) if r[2] else (), organisation=r[3], title=r[4], country=r[5],
                   messages=r[6]) for r in rows]


def people_choices(conn: sqlite3.Connection, limit: int = 500) -> list[tuple[int, str]]:
    """``(person_id, name)`` of the most active people, for filter menus."""
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT person_id, name FROM people WHERE messages > 0 ORDER BY messages DESC, name "
        "LIMIT ?", (int(limit),))]


def countries(conn: sqlite3.Connection) -> list[str]:
    """Countries known from people's signatures, for filter menus."""
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT country FROM people WHERE country IS NOT NULL AND country != '' "
        "ORDER BY country")]


def message_keys(conn: sqlite3.Connection, message_ids: list[str]) -> list[str]:
    """The store keys of messages given by Message-ID (for the mbox export of a selection)."""
    out: list[str] = []
    for i in range(0, len(message_ids), 500):
        chunk = message_ids[i:i + 500]
        out += [r[0] for r in conn.execute(
            f"SELECT key FROM messages WHERE message_id IN ({','.join('?' * len(chunk))})", chunk)]
    return out


def stage_runs(conn: sqlite3.Connection) -> dict[str, StageRun]:
    """The latest run of each analysis stage (empty when none ran)."""
    out: dict[str, StageRun] = {}
    for stage, status, finished, report in conn.execute(
            "SELECT stage, status, finished, report FROM runs r WHERE id = "
            "(SELECT max(id) FROM runs WHERE stage = r.stage)"):
        try:
            rep = json.loads(report) if report else {}
        except ValueError:
            rep = {}
        out[stage] = StageRun(stage, status or "", finished, rep if isinstance(rep, dict) else {})
    return out


def data_version(conn: sqlite3.Connection) -> tuple:
    """A cheap token that changes whenever the corpus or a stage's output changes."""
    return tuple(conn.execute(
        "SELECT (SELECT max(id) FROM messages), (SELECT count(*) FROM messages), "
        "(SELECT max(id) FROM runs), (SELECT count(*) FROM merges), "
        "(SELECT count(*) FROM people)").fetchone())


@dataclass(frozen=True, slots=True)
class ReplyEdge:
    """``source`` replied to ``target`` ``count`` times (person ids; names for display)."""

    source: int
    target: int
    count: int
    source_name: str
    target_name: str


def reply_edges(conn: sqlite3.Connection, *, top_people: int = 60) -> list[ReplyEdge]:
    """Who replies to whom, among the ``top_people`` most active people (self-replies left out)."""
    top = [r[0] for r in conn.execute(
        "SELECT person_id FROM people WHERE messages > 0 ORDER BY messages DESC LIMIT ?",
        (int(top_people),))]
    if not top:
        return []
    marks = ",".join("?" * len(top))
    names = {r[0]: r[1] for r in conn.execute(
        f"SELECT person_id, name FROM people WHERE person_id IN ({marks})", top)}
    rows = conn.execute(
        f"SELECT c.person_id, p.person_id, count(*) FROM messages c "
        f"JOIN messages p ON p.key = c.parent_key "
        f"WHERE c.person_id IN ({marks}) AND p.person_id IN ({marks}) "
        f"AND c.person_id != p.person_id GROUP BY 1, 2", top + top)
    return [ReplyEdge(a, b, n, names.get(a, ""), names.get(b, "")) for a, b, n in rows]
