"""Writing what a threading pass decided: changed links, thread rows, the subject lookups of
migration 010 and quote links, for a set of messages closed over everything a link can read
(a batch of the incremental path or of the one-shot path in :mod:`miner.ingest.post`).

Thread rows and quote links are computed from the rows already in memory instead of one query
per thread or per message: the set holds every member of every thread it touches, and a
message's quote candidates (its parent and the earlier messages of its thread) are members too.
"""
from __future__ import annotations

import hashlib
import sqlite3
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from miner.types import ThreadInput, ThreadLink

_CHUNK = 500  # ids per "IN (...)" query
_QUOTE_CHUNK = 2_000  # quoting messages whose texts are held at once


class Row(NamedTuple):
    """One stored message as the post phase reads it."""

    id: int
    item: ThreadInput  # date: the effective date (undated messages borrow one)
    ts: float  # effective time, as thread_messages orders by
    thread_id: str | None
    parent_key: str | None
    ids: frozenset[int]  # hashes of every Message-ID it reads (incremental path only)
    subj: int | None  # hash of (list, subject key); None when the key is empty (or not needed)
    date: str | None  # the stored date, as thread rows and quote candidates compare it
    person: int | None  # stored, else the pending one of its alias (post.person_map)
    quoted: bool  # has quoted text
    quotes_key: str | None


def h(s: str) -> int:
    """A signed 64-bit hash (fits an SQLite INTEGER); collisions only widen a closure."""
    d = hashlib.blake2b(s.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(d, "big", signed=True)


def subject_hash(lst: str | None, key: str) -> int:
    return h(("\x01" if lst is None else lst) + "\x00" + key)


def parse_date(s: str | None) -> tuple[datetime | None, float | None]:
    """The stored date and its timestamp; (None, None) when it is missing or unusable."""
    from miner.threads import _timestamp

    if not s:
        return None, None
    try:
        d = datetime.fromisoformat(s)
    except ValueError:
        return None, None
    t = _timestamp(d)
    return (d, t) if t is not None else (None, None)


def thread_id_for(root_key: str) -> str:
    return "t" + hashlib.sha1(root_key.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def in_chunks(conn: sqlite3.Connection, sql: str, values: Iterable) -> Iterable[tuple]:
    vals = list(values)
    for i in range(0, len(vals), _CHUNK):
        part = vals[i:i + _CHUNK]
        yield from conn.execute(sql.format(",".join("?" * len(part))), part)


class Plan(NamedTuple):
    """What one threaded set writes, decided from reads only (so a worker process with a
    read-only connection can compute it while the writer writes another set)."""

    updates: list[tuple]  # (parent_key, thread_id, quotes_key, person_id, id) of the rows
    # that change (person_id: filled only where it is NULL, see miner.ingest.post.person_map)
    old_tids: list[str]  # thread ids the set's rows had
    new_tids: list[str]
    thread_rows: list[tuple]
    ids: list[int]  # every row of the set
    look_rows: list[tuple]  # (msg, h, ts) subject lookups of the set's trees
    changed: int  # rows whose parent or thread changed


def apply_links(conn: sqlite3.Connection, rows: Sequence[Row], links: list[ThreadLink],
                lookups: list[tuple[str, str]]) -> int:
    """Store the links of ``rows`` (a closed set, threaded at once); returns how many changed."""
    return write_plan(conn, plan_links(conn, rows, links, lookups))


def plan_links(conn: sqlite3.Connection, rows: Sequence[Row], links: list[ThreadLink],
               lookups: list[tuple[str, str]]) -> Plan:
    """What storing the links of ``rows`` writes (``conn`` is only read: quote candidates)."""
    from miner.threads import normalize_subject, subject_key

    by_key = {r.item.key: r for r in rows}
    tid_of: dict[str, str] = {}
    changed = []
    touched: set[str] = set()
    members: dict[str, list[tuple[Row, str | None]]] = defaultdict(list)
    for ln in links:
        tid = tid_of.get(ln.root_key)
        if tid is None:
            tid = tid_of[ln.root_key] = thread_id_for(ln.root_key)
        r = by_key[ln.key]
        members[tid].append((r, ln.parent_key))
        if r.thread_id != tid or r.parent_key != ln.parent_key:
            changed.append((ln.parent_key, tid, r))
            touched.add(tid)
            if r.thread_id:
                touched.add(r.thread_id)
    # quotes: a message's candidates are its parent and its thread, so re-examine the
    # threads whose members or links changed; one UPDATE per message writes both, and a
    # pending person id (a row is rewritten whole, whatever the columns set)
    quotes = quote_links([members[t] for t in touched if t in members], conn)
    updates = [(parent, tid, quotes.pop(r.id, r.quotes_key), r.person, r.id)
               for parent, tid, r in changed]
    for tid in touched:
        for r, parent in members.get(tid, ()):
            q = quotes.pop(r.id, r.quotes_key)
            if q != r.quotes_key:
                updates.append((parent, tid, q, r.person, r.id))
    out = []
    for root, tid in tid_of.items():
        group = members[tid]
        dates = [r.date for r, _ in group if r.date is not None]
        top = by_key[root].item
        out.append((tid, root, top.list, normalize_subject(top.subject) or top.subject,
                    min(dates) if dates else None, max(dates) if dates else None, len(group),
                    len({r.person for r, _ in group if r.person is not None})))
    look = sorted((by_key[top].id,
                   subject_hash(by_key[top].item.list, subject_key(by_key[top].item.subject)),
                   by_key[first].ts) for top, first in lookups)
    return Plan(updates, sorted({r.thread_id for r in rows if r.thread_id}),
                list(tid_of.values()), out, [r.id for r in rows], look, len(changed))


def write_plan(conn: sqlite3.Connection, plan: Plan) -> int:
    """Write ``plan`` (inside the caller's transaction); returns how many links changed."""
    conn.executemany("UPDATE messages SET parent_key=?, thread_id=?, quotes_key=?, "
                     "person_id=coalesce(person_id, ?) WHERE id=?", plan.updates)
    if plan.old_tids or conn.execute("SELECT 1 FROM threads LIMIT 1").fetchone():
        list(in_chunks(conn, "DELETE FROM threads WHERE thread_id IN ({})",
                       set(plan.old_tids) | set(plan.new_tids)))
    conn.executemany("INSERT INTO threads(thread_id, root_key, list, subject, start, \"end\", "
                     "messages, participants) VALUES (?,?,?,?,?,?,?,?)", plan.thread_rows)
    # the subject lookups of the trees just built replace those the set had
    if conn.execute("SELECT 1 FROM thread_idx_look LIMIT 1").fetchone():
        list(in_chunks(conn, "DELETE FROM thread_idx_look WHERE msg IN ({})", plan.ids))
    conn.executemany("INSERT OR REPLACE INTO thread_idx_look(msg, h, ts) VALUES (?,?,?)",
                     plan.look_rows)
    return plan.changed


def _candidates(conn: sqlite3.Connection, thread: list[tuple[Row, str | None]], limit: int):
    """For each quoting member: (row, candidate ids in the order link_quotes tries them)."""
    id_of_key = {r.item.key: r.id for r, _ in thread}
    # ORDER BY date DESC, id DESC (NULL dates last): walk (date, id) ascending backwards
    dated = sorted((r.date, r.id, r.item.key) for r, _ in thread if r.date is not None)
    undated = sorted(((r.id, r.item.key) for r, _ in thread if r.date is None), reverse=True)
    dkeys = [d for d, _, _ in dated]
    for r, parent in thread:
        if not r.quoted:
            continue
        key = r.item.key
        cands: list[int] = []
        if parent:
            pid = id_of_key.get(parent)
            if pid is None:  # a parent is in its child's thread; never trust that blindly
                row = conn.execute("SELECT id FROM messages WHERE key=?", (parent,)).fetchone()
                pid = row[0] if row else None
            if pid is not None:
                cands.append(pid)
        n = 0
        i = len(dated) if r.date is None else bisect_right(dkeys, r.date)
        while i > 0 and n < limit:
            i -= 1
            if dated[i][2] != key:
                cands.append(dated[i][1])
                n += 1
        for mid, k in undated:
            if n >= limit:
                break
            if k != key:
                cands.append(mid)
                n += 1
        yield r, parent, cands


def quote_matches(probes: list[str], ctext: str, folded: str | None = None,
                  normed: dict[int, str] | None = None, key: int = 0) -> bool:
    """``miner.ingest.quotes._matches(probes, ctext)``, usually without normalising
    ``ctext``: a probe (casefolded, single spaces between non-spaces) found in the casefolded
    text is in the normalised text too (casefolding neither makes nor removes whitespace), so
    only when those hits fall short is the whole text normalised and counted again.
    ``folded`` is ``ctext.casefold()`` when the caller has it; ``normed`` caches normalised
    texts by ``key``."""
    from miner.ingest.quotes import _matches, _norm

    if not probes:
        return False
    need = max(1, (len(probes) + 1) // 2)
    if folded is None:
        folded = ctext.casefold()
    if sum(1 for p in probes if p in folded) >= need:
        return True
    t = normed.get(key) if normed is not None else None
    if t is None:
        t = _norm(ctext)
        if normed is not None:
            normed[key] = t
    return _matches(probes, "", t)


def quote_links(threads: list[list[tuple[Row, str | None]]],
                conn: sqlite3.Connection) -> dict[int, str]:
    """The ``quotes_key`` of the quoting members of ``threads`` (each a whole thread: rows
    with their new parent key), by id, as :func:`miner.ingest.quotes.link_quotes_in` sets it
    ('' when nothing matched)."""
    from miner.ingest.quotes import MAX_CANDIDATES, _probe_lines

    jobs: list[tuple[Row, str | None, list[int]]] = []
    out: dict[int, str] = {}

    def run(jobs: list) -> None:
        need = {r.id for r, _, _ in jobs} | {c for _, _, cs in jobs for c in cs}
        text: dict[int, str] = {}
        quoted: dict[int, str] = {}
        keys: dict[int, str] = {}
        for mid, k, t, q in in_chunks(conn, "SELECT id, key, text, quoted_text FROM messages "
                                            "WHERE id IN ({})", sorted(need)):
            keys[mid] = k
            text[mid] = t or ""
            quoted[mid] = q
        normed: dict[int, str] = {}
        folded: dict[int, str] = {}
        for r, parent, cands in jobs:
            found = ""
            probes = _probe_lines(quoted[r.id]) if quoted[r.id] else []
            if probes:
                seen: set[int] = set()
                for c in cands:
                    if c in seen or c == r.id:
                        continue
                    seen.add(c)
                    f = folded.get(c)
                    if f is None:
                        f = folded[c] = text[c].casefold()
                    if quote_matches(probes, text[c], f, normed, c):
                        found = keys[c]
                        break
            out[r.id] = found

    for thread in threads:
        jobs.extend(_candidates(conn, thread, MAX_CANDIDATES))
        if len(jobs) >= _QUOTE_CHUNK:
            run(jobs)
            jobs = []
    if jobs:
        run(jobs)
    return out
