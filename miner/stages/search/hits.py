"""Hits: the rows of the final ``k`` messages (or threads) turned into :class:`SearchHit`
records, with a snippet of the new text and the query terms' offsets in it."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import datetime

from miner.types import SearchHit

SNIPPET_CHARS = 240
SNIPPET_WINDOWS = 64  # candidate snippet windows tried (one per match, the first ones)
THREAD_SECOND = 0.1  # weight of a thread's 2nd and 3rd best messages


_HIT_SQL = ("SELECT m.id, m.message_id, m.thread_id, m.subject, m.from_name, m.date, m.text, "
            "m.list, m.person_id, p.name FROM messages m LEFT JOIN people p ON "
            "p.person_id = m.person_id WHERE m.id IN ({})")


def _rows(conn, ids: Sequence[int]) -> dict[int, tuple]:
    out: dict[int, tuple] = {}
    ids = list(ids)
    for i in range(0, len(ids), 500):
        part = ids[i:i + 500]
        for r in conn.execute(_HIT_SQL.format(",".join("?" * len(part))), part):
            out[r[0]] = tuple(r)
    return out


def _dt(s):
    try:
        return datetime.fromisoformat(s) if s else None
    except ValueError:
        return None


def _hit(r: tuple, score: float, terms, **extra) -> SearchHit:
    snippet, marks = make_snippet(r[6] or r[3] or "", terms)
    base = {"message_id": r[1], "thread_id": r[2], "score": round(float(score), 6),
                "subject": r[3] or "", "author_name": r[9] or r[4] or "", "date": _dt(r[5]),
                "snippet": snippet, "highlights": marks, "list": r[7], "person_id": r[8]}
    base.update(extra)
    return SearchHit(**base)


def message_hits(conn, ranked, terms) -> list[SearchHit]:
    rows = _rows(conn, [i for i, _ in ranked])
    return [_hit(rows[i], s, terms) for i, s in ranked if i in rows]


def group_threads(ranked: list[tuple[int, float]], thread_of: dict[int, str]
                  ) -> list[tuple[float, str, int]]:
    """``(score, thread id, best message id)`` best first: a thread scores its best message
    plus ``THREAD_SECOND`` times its 2nd and 3rd best (messages missing from ``thread_of`` are
    left out)."""
    groups: dict[str, list[tuple[int, float]]] = {}
    for i, s in ranked:
        if i in thread_of:
            groups.setdefault(thread_of[i], []).append((i, s))
    scored = []
    for tid, ms in groups.items():
        ss = sorted((s for _, s in ms), reverse=True)
        scored.append((ss[0] + THREAD_SECOND * sum(ss[1:3]), tid, ms[0][0]))
    scored.sort(key=lambda x: -x[0])
    return scored


def thread_hits(ws, ranked, k, terms) -> list[SearchHit]:
    conn = ws.db
    ids = [i for i, _ in ranked]
    thread_of: dict[int, str] = {}
    for a in range(0, len(ids), 500):  # thread ids only: full rows for the final k
        part = ids[a:a + 500]
        thread_of.update((i, t or f"message:{m}") for i, t, m in conn.execute(
            f"SELECT id, thread_id, message_id FROM messages WHERE id IN ({','.join('?' * len(part))})",
            part))
    scored = group_threads(ranked, thread_of)[:k]
    rows = _rows(conn, [best for _, _, best in scored])
    hits = []
    for score, tid, best in scored:
        t = conn.execute("SELECT subject, start, \"end\", messages, participants FROM threads "
                         "WHERE thread_id = ?", (tid,)).fetchone()
        names = tuple(r[0] for r in conn.execute(
            "SELECT coalesce(p.name, m.from_name) AS n FROM messages m LEFT JOIN people p ON "
            "p.person_id = m.person_id WHERE m.thread_id = ? GROUP BY n ORDER BY min(m.date) "
            "LIMIT 12", (tid,)))
        r = rows[best]
        extra = {"participant_names": names}
        if t is not None:
            extra.update(subject=t[0] or r[3] or "", start=_dt(t[1]), end=_dt(t[2]),
                         messages=t[3], participants=t[4])
        hit = _hit(r, score, terms)
        hits.append(SearchHit(**{**{f: getattr(hit, f) for f in hit.__slots__}, **extra}))
    return hits


def make_snippet(text: str, terms, width: int = SNIPPET_CHARS) -> tuple[str, tuple]:
    """The window of ``text`` (whitespace collapsed) richest in query terms, and the
    ``(start, end)`` offsets of the terms in it."""
    flat = " ".join(text.split())
    pats = [re.escape(t) + (r"\w*" if p else "") for t, p in terms if t]
    rx = re.compile(r"(?<!\w)(?:" + "|".join(pats) + r")(?!\w)", re.IGNORECASE) if pats else None
    matches = list(rx.finditer(flat)) if rx else []
    start = 0
    if matches and len(flat) > width:
        best = (-1, 0)
        starts = [x.start() for x in matches]
        words = [x.group(0).lower() for x in matches]
        for m in matches[:SNIPPET_WINDOWS]:  # windows starting near each of the first matches
            a = max(0, m.start() - width // 4)
            got = {words[j] for j in range(bisect_left(starts, a), bisect_right(starts, a + width))
                   if matches[j].end() <= a + width}
            if len(got) > best[0]:
                best = (len(got), a)
        start = best[1]
        if start:
            sp = flat.find(" ", start)
            start = sp + 1 if 0 <= sp < start + 20 else start
    end = min(len(flat), start + width)
    if end < len(flat):
        sp = flat.rfind(" ", start, end)
        end = sp if sp > start + width // 2 else end
    pre, post = ("…" if start > 0 else ""), ("…" if end < len(flat) else "")
    snippet = pre + flat[start:end] + post
    marks = tuple((m.start() - start + len(pre), m.end() - start + len(pre))
                  for m in matches if m.start() >= start and m.end() <= end)
    return snippet, marks
