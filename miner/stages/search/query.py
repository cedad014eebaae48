"""Query parsing: the terms of a user query, a safe FTS5 expression, and the filters (list,
dates, author) as SQL plus the cached set of message ids that pass them.

User input never reaches FTS5 as syntax: the query is tokenised here and every term is quoted.
"""
from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import numpy as np

from miner.errors import MinerError, NotFoundError


class QueryError(MinerError):
    """A search option has a bad value (a date that cannot be read, an unknown mode)."""


_TERM = re.compile(r"\w+(\*?)", re.UNICODE)
STOPWORDS = frozenset(["a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "re"])


def query_terms(query: str) -> list[tuple[str, bool]]:
    """``(term, is_prefix)`` pairs of a user query: lower-cased word tokens, stop words dropped
    (unless nothing else is left), duplicates removed. ``tax*`` is a prefix term."""
    found = [(m.group(0).rstrip("*").lower(), bool(m.group(1))) for m in _TERM.finditer(query or "")]
    found = [(t, p) for t, p in found if t.strip("_")]
    content = [(t, p) for t, p in found if t not in STOPWORDS or p]
    return list(dict.fromkeys(content or found))


def fts_expression(terms: Sequence[tuple[str, bool]], op: str = "OR") -> str | None:
    """A safe FTS5 MATCH expression: quoted terms joined by ``op`` (None when there are none)."""
    parts = ['"' + t.replace('"', '""') + '"' + ("*" if p else "") for t, p in terms]
    return f" {op} ".join(parts) or None


def db_key(conn) -> str:
    """The database file of a connection (the key of the per-process caches)."""
    row = conn.execute("PRAGMA database_list").fetchone()
    return row[2] or str(id(conn))


# --------------------------------------------------------------------------- filters

def _iso(value, *, end_of_day: bool = False) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value if value.tzinfo else value.replace(tzinfo=UTC)
        return dt.astimezone(UTC).isoformat()
    if isinstance(value, date):
        d = value + timedelta(days=1) if end_of_day else value
        return d.isoformat()
    s = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}(-\d{2}){0,2}", s):
            parts = [int(x) for x in s.split("-")] + [1, 1]
            d = date(parts[0], parts[1], parts[2])
            if end_of_day:  # --until 2020, 2020-05 or 2020-05-31 include the whole period
                n = s.count("-")
                d = (date(d.year + 1, 1, 1) if n == 0 else
                     date(d.year + (d.month == 12), d.month % 12 + 1, 1) if n == 1 else
                     d + timedelta(days=1))
            return d.isoformat()
        return _iso(datetime.fromisoformat(s))
    except ValueError:
        raise QueryError(f"cannot read the date {value!r}; use YYYY, YYYY-MM, YYYY-MM-DD or an "
                         "ISO 8601 date-time") from None


def _author_ids(conn, author: str) -> tuple[str, list]:
    a = str(author).strip()
    if a.isdigit() and conn.execute("SELECT 1 FROM people WHERE person_id = ?", (int(a),)).fetchone():
        return "m.person_id = ?", [int(a)]
    like = "%" + a.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    ids = [r[0] for r in conn.execute(
        "SELECT person_id FROM people WHERE name LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\' "
        "UNION SELECT person_id FROM aliases WHERE person_id IS NOT NULL AND "
        "(name LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\')", (like, like, like, like))]
    if ids:
        return f"m.person_id IN ({','.join('?' * len(ids))})", ids
    if conn.execute("SELECT 1 FROM messages WHERE from_name LIKE ? ESCAPE '\\' LIMIT 1",
                    (like,)).fetchone():  # people not resolved yet: match the From name
        return "m.from_name LIKE ? ESCAPE '\\'", [like]
    raise NotFoundError(f"no person matches {author!r}; 'miner people' lists them (a name "
                        "substring or a person id)")


def filters(conn, list_name, since, until, author, before) -> tuple[str, list]:
    """``(where, args)``: SQL over ``messages m`` for the search filters ("" when none)."""
    where, args = [], []
    if list_name:
        where.append("m.list = ?")
        args.append(list_name)
    for op, value in ((">=", _iso(since)), ("<", _iso(until, end_of_day=True)), ("<", _iso(before))):
        if value:
            where.append(f"m.date {op} ?")
            args.append(value)
    if author:
        sql, a = _author_ids(conn, author)
        where.append(sql)
        args += a
    return " AND ".join(where), args


_ALLOWED: OrderedDict[tuple, np.ndarray] = OrderedDict()


def allowed_ids(conn, where: str, args: list) -> np.ndarray | None:
    """Sorted ``messages.id`` passing the filters (None when there are none), cached per process
    until a message is added."""
    if not where:
        return None
    stamp = conn.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()[0]
    key = (db_key(conn), where, tuple(args), stamp)
    hit = _ALLOWED.get(key)
    if hit is None:
        hit = np.fromiter((r[0] for r in conn.execute(
            f"SELECT m.id FROM messages m WHERE {where} ORDER BY m.id", args)), dtype=np.int64)
        _ALLOWED[key] = hit
        if len(_ALLOWED) > 64:
            _ALLOWED.popitem(last=False)
    return hit


_ALL: dict[str, tuple[int, np.ndarray]] = {}


def all_ids(conn) -> np.ndarray:
    """Every ``messages.id``, sorted, cached per process until a message is added."""
    db = db_key(conn)
    top = conn.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()[0]
    hit = _ALL.get(db)
    if hit is None or hit[0] != top:
        ids = conn.execute("SELECT id FROM messages ORDER BY id").fetchall()
        hit = (top, np.array([r[0] for r in ids], dtype=np.int64))
        _ALL[db] = hit
    return hit[1]
