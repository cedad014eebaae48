"""The moderator's report for a list and a period: active threads, unanswered posts, median time
to first answer, new and returning contributors, top topics and new recurring problems (when
those stages have run). Renderers: Markdown, HTML, DOCX and JSON.

    >>> r = moderator_report(ws, "2021-01-01", "2021-12-31")          # doctest: +SKIP
    >>> print(render_report(r, "md"))                                   # doctest: +SKIP
"""
from __future__ import annotations

import json
import sqlite3
import statistics
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from miner.errors import ConfigError

ACTIVE_MIN = 7
FORMATS = ("md", "html", "docx", "json")


@dataclass(frozen=True, slots=True)
class ThreadStat:
    thread_id: str
    subject: str
    messages: int
    participants: int


@dataclass(frozen=True, slots=True)
class Unanswered:
    message_id: str
    subject: str
    author_name: str
    date: str | None


@dataclass(frozen=True, slots=True)
class NamedCount:
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class ModeratorReport:
    list_name: str | None
    since: str
    until: str
    messages: int
    threads_started: int
    active_threads: tuple[ThreadStat, ...]
    unanswered: tuple[Unanswered, ...]
    median_hours_to_first_answer: float | None
    answered_posts: int
    new_contributors: tuple[str, ...]
    returning_contributors: tuple[str, ...]
    top_topics: tuple[NamedCount, ...]
    new_problems: tuple[NamedCount, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return asdict(self)


def _bounds(since: str, until: str) -> tuple[str, str]:
    for v, what in ((since, "--since"), (until, "--until")):
        try:
            datetime.fromisoformat(v)
        except (TypeError, ValueError):
            raise ConfigError(f"{what} {v!r} is not a date; use YYYY-MM-DD") from None
    hi = until + ("T23:59:59.999999+99:99" if len(until) == 10 else "")
    return since, hi


def _has(conn: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}


def moderator_report(ws, since: str, until: str, list_name: str | None = None) -> ModeratorReport:
    """The moderator's report of messages dated ``since``..``until`` (inclusive ISO dates)."""
    conn = ws.db
    lo, hi = _bounds(since, until)
    where = "m.date >= ? AND m.date <= ? AND m.digest_of IS NULL"
    args: list = [lo, hi]
    if list_name:
        where += " AND m.list = ?"
        args.append(list_name)
    who = "COALESCE('p' || m.person_id, lower(m.from_email), m.from_name)"
    notes: list[str] = []
    n_msgs = conn.execute(f"SELECT count(*) FROM messages m WHERE {where}", args).fetchone()[0]
    active = [ThreadStat(t, s or "", n, p) for t, s, n, p in conn.execute(
        f"SELECT m.thread_id, t.subject, count(*), count(DISTINCT {who}) FROM messages m "
        f"LEFT JOIN threads t ON t.thread_id = m.thread_id WHERE {where} "
        "GROUP BY m.thread_id HAVING count(*) >= ? ORDER BY count(*) DESC", args + [ACTIVE_MIN])]
    roots = conn.execute(
        f"SELECT m.key, m.message_id, m.subject, m.from_name, m.date, m.thread_id, {who} "
        f"FROM messages m WHERE {where} AND m.parent_key IS NULL ORDER BY m.date", args).fetchall()
    unanswered, waits = [], []
    for key, mid, subj, name, date, tid, author in roots:
        row = conn.execute(
            f"SELECT min(m.date) FROM messages m WHERE m.thread_id = ? AND m.key != ? "
            f"AND {who} != ? AND m.date >= ?", (tid, key, author, date or "")).fetchone()
        if row[0] is None:
            unanswered.append(Unanswered(mid, subj or "", name or "", date))
        elif date:
            dt = datetime.fromisoformat(row[0]) - datetime.fromisoformat(date)
            waits.append(dt.total_seconds() / 3600)
    period = {r[0]: r[1] for r in conn.execute(
        f"SELECT {who}, max(m.from_name) FROM messages m WHERE {where} GROUP BY 1", args)}
    before_sql = f"SELECT DISTINCT {who} FROM messages m WHERE m.date < ?" + \
        (" AND m.list = ?" if list_name else "")
    before = {r[0] for r in conn.execute(before_sql, [lo] + ([list_name] if list_name else []))}
    new = tuple(sorted(n for k, n in period.items() if k not in before))
    returning = tuple(sorted(n for k, n in period.items() if k in before))
    topics: list[NamedCount] = []
    if {"topic_id", "key"} <= _has(conn, "message_topics") and _has(conn, "topics"):
        topics = [NamedCount(label or f"topic {tid}", n) for tid, label, n in conn.execute(
            "SELECT mt.topic_id, COALESCE(NULLIF(tp.label, ''), tp.auto_label), count(*) "
            f"FROM messages m JOIN message_topics mt ON mt.key = m.key "
            f"LEFT JOIN topics tp ON tp.topic_id = mt.topic_id WHERE {where} AND mt.topic_id >= 0 "
            "GROUP BY mt.topic_id ORDER BY count(*) DESC LIMIT 10", args)]
    if not topics:
        notes.append("Top topics: none found; has the topics stage run ('miner analyze topics')?")
    problems = _new_problems(conn, lo, hi, notes)
    return ModeratorReport(list_name, since, until, n_msgs, len(roots), tuple(active),
                           tuple(unanswered),
                           round(statistics.median(waits), 1) if waits else None, len(waits),
                           new, returning, tuple(topics), tuple(problems), tuple(notes))


def _new_problems(conn, lo: str, hi: str, notes: list[str]) -> list[NamedCount]:
    cols = _has(conn, "problems")
    ran = cols and conn.execute("SELECT 1 FROM runs WHERE stage='problems' AND status='done' "
                                "LIMIT 1").fetchone() is not None
    if not ran:
        notes.append("New recurring problems: the problems stage has not run "
                     "('miner analyze problems').")
        return []
    label = next((c for c in ("label", "title", "name", "summary", "question") if c in cols), None)
    first = next((c for c in ("first_seen", "first_date", "start", "first") if c in cols), None)
    count = next((c for c in ("threads", "occurrences", "size", "count", "messages") if c in cols),
                 None)
    if not (label and first):
        notes.append("New recurring problems: the problems table has no label/first-seen column.")
        return []
    sql = (f"SELECT {label}, {count or 1} FROM problems WHERE {first} >= ? AND {first} <= ?"
           + (f" AND {count} >= 2" if count else "") + f" ORDER BY {count or first} DESC LIMIT 10")
    try:
        return [NamedCount(str(a), int(b)) for a, b in conn.execute(sql, (lo, hi))]
    except sqlite3.Error as e:
        notes.append(f"New recurring problems could not be read ({e}).")
        return []


# --------------------------------------------------------------------------- rendering

def _lines(r: ModeratorReport) -> list[tuple[str, list[str]]]:
    """(section heading, items) pairs, as plain text; each renderer escapes them."""
    med = (f"{r.median_hours_to_first_answer} hours (over {r.answered_posts} answered posts)"
           if r.median_hours_to_first_answer is not None else "no answered posts")
    return [
        ("Overview", [f"{r.messages} messages; {r.threads_started} new threads",
                      f"Median time to first answer: {med}"]),
        (f"Active threads ({ACTIVE_MIN} or more messages)",
         [f"{t.subject} ({t.messages} messages, {t.participants} people)"
          for t in r.active_threads] or ["none"]),
        ("Unanswered posts", [f"{u.subject} by {u.author_name} ({(u.date or '')[:10]})"
                              for u in r.unanswered] or ["none"]),
        (f"New contributors ({len(r.new_contributors)})", list(r.new_contributors) or ["none"]),
        (f"Returning contributors ({len(r.returning_contributors)})",
         list(r.returning_contributors) or ["none"]),
        ("Top topics", [f"{t.name} ({t.count} messages)" for t in r.top_topics] or ["none"]),
        ("New recurring problems", [f"{p.name} ({p.count})" for p in r.new_problems] or ["none"]),
        ("Notes", list(r.notes)),
    ]


def _title(r: ModeratorReport) -> str:
    return f"Moderator's report: {r.list_name or 'all lists'}, {r.since} to {r.until}"


def render_report(r: ModeratorReport, fmt: str) -> str:
    """The report as Markdown, HTML or JSON text (DOCX: :func:`write_report`)."""
    if fmt == "json":
        return json.dumps(r.to_dict(), ensure_ascii=False, indent=1) + "\n"
    if fmt == "md":
        from miner.stages.summary.render_md import md_escape

        out = [f"# {md_escape(_title(r))}", ""]
        for head, items in _lines(r):
            if items:
                out += [f"## {md_escape(head)}", ""] + [f"- {md_escape(i)}" for i in items] + [""]
        return "\n".join(out)
    if fmt == "html":
        from miner.stages.summary.render_html import h

        out = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
               '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
               'style-src \'unsafe-inline\'">',
               f'<title>{h(_title(r))}</title><style>body{{font-family:sans-serif;'
               'max-width:48rem;margin:2rem auto}}</style></head><body>',
               f'<h1>{h(_title(r))}</h1>']
        for head, items in _lines(r):
            if items:
                out.append(f'<h2>{h(head)}</h2><ul>' + "".join(f'<li>{h(i)}</li>' for i in items)
                           + '</ul>')
        return "\n".join(out + ['</body></html>']) + "\n"
    raise ConfigError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")


def write_report(r: ModeratorReport, path: str | Path, fmt: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt != "docx":
        path.write_text(render_report(r, fmt), encoding="utf-8")
        return path
    from miner.stages.summary.render_docx import _docx
    from miner.stages.summary.textsafe import plain

    docx = _docx()
    doc = docx.Document()
    doc.add_heading(plain(_title(r)), level=0)
    for head, items in _lines(r):
        if items:
            doc.add_heading(plain(head), level=1)
            for i in items:
                doc.add_paragraph(plain(i), style="List Bullet")
    doc.save(str(path))
    return path
