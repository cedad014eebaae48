"""After new messages land: thread them, link their quotes and resolve their senders,
incrementally and in bounded memory.

Threading is global by nature (a new message can adopt old replies, merge two threads or
make a later reply join another thread by subject), yet a message can only change the links
of messages connected to it: through a Message-ID both read (own, In-Reply-To, References),
through a thread they share, or through subject joining (the same list and subject key
within ``subject_window_days``). :func:`rebuild_threads` takes the unthreaded messages in
batches of :data:`BATCH` (in id order, the order a full rebuild reads them in), closes each
batch over those connections with the lookup tables of migration 010, and re-threads only
that closed set with :func:`miner.threads.thread_messages`. Nothing outside the set can
read or change a link inside it, so the result is the one a full rebuild over every stored
message gives (tests/threads/test_incremental.py checks it), while memory grows with the
batch and its neighbourhood instead of with the corpus.

When at least :data:`ONE_SHOT_SHARE` of the stored messages are new (a first ingest), the
closure queries would touch most of the corpus anyway: :mod:`miner.ingest.post_oneshot`
threads everything instead, in independent components packed into batches (same result, the
switch between the two paths is tested too). :mod:`miner.ingest.post_write` writes what
either path decides: changed links, thread rows and quote links from the rows in memory.

Identity resolution runs over the aliases (distinct name, address, list: thousands, not
millions); only the messages and people whose alias changed person are rewritten.
"""
from __future__ import annotations

import logging
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from miner.config import Config
from miner.ingest.post_write import Row as _Row
from miner.ingest.post_write import apply_links, thread_id_for
from miner.ingest.post_write import h as _h
from miner.ingest.post_write import parse_date as _parse_date
from miner.ingest.post_write import subject_hash as _subject_hash
from miner.ingest.post_write import in_chunks as _in_chunks
from miner.types import Sender, ThreadInput

__all__ = ["rebuild_people", "rebuild_threads", "thread_id_for"]

log = logging.getLogger(__name__)

BATCH = 20_000  # new messages threaded per step: memory is bounded by a batch and its neighbours
# when at least this share of the stored messages is new (a first ingest), thread everything
# in one pass over independent components (miner/ingest/post_oneshot.py) instead
ONE_SHOT_SHARE = 0.5


_COLS = ("id, key, message_id, in_reply_to, refs, subject, date, list, thread_id, parent_key, "
         "person_id, quoted_text != '', quotes_key, from_name, from_email")

# settings: the highest message id whose sender is counted in aliases; and '1' while some
# messages' person ids are left for the threading writes to fill (see rebuild_people)
UPTO = "people_upto"
PENDING = "people_pending"


def person_map(conn: sqlite3.Connection) -> dict[tuple[str, str, str], int] | None:
    """(name, address, list or '') -> person id of every alias while person ids are pending
    (the threading writes fill them in), else None."""
    if not conn.execute("SELECT 1 FROM settings WHERE name=? AND value='1'",
                        (PENDING,)).fetchone():
        return None
    return {(n, e, lst): p for n, e, lst, p in conn.execute(
        "SELECT name, email, list, person_id FROM aliases")}


def _one_shot_due(conn: sqlite3.Connection) -> bool:
    """Whether rebuild_threads will thread everything at once (most messages are new)."""
    new = conn.execute("SELECT count(*) FROM messages WHERE thread_id IS NULL").fetchone()[0]
    return bool(new) and new >= ONE_SHOT_SHARE * conn.execute(
        "SELECT count(*) FROM messages").fetchone()[0]


class _Dates:
    """Effective dates: an undated message takes the date of the nearest earlier dated message
    in id order (what a full rebuild, reading in id order, gives it), else the first dated."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def of(self, mid: int, s: str | None) -> tuple[datetime, float]:
        d, t = _parse_date(s)
        if d is not None and t is not None:
            return d, t
        for sql, args in (
            ("SELECT date FROM messages WHERE id < ? AND date IS NOT NULL AND date != '' ORDER "
             + "BY id DESC", (mid,)),
            ("SELECT date FROM messages WHERE date IS NOT NULL AND date != '' ORDER BY id", ()),
        ):
            for (ds,) in self.conn.execute(sql, args):
                d, t = _parse_date(ds)
                if d is not None and t is not None:
                    return d, t
        return datetime.fromtimestamp(0, tz=UTC), 0.0


def _load(conn: sqlite3.Connection, ids: Iterable[int], dates: _Dates,
          persons: dict | None = None) -> list[_Row]:
    from miner.threads import message_ids, subject_key

    out = []
    for (mid, key, msgid, irt, refs, subject, date, lst, tid, parent, person, quoted,
         qkey, name, email) in _in_chunks(
            conn, f"SELECT {_COLS} FROM messages WHERE id IN ({{}})", sorted(ids)):
        d, ts = dates.of(mid, date)
        item = ThreadInput(key=key, message_id=msgid if not msgid.startswith("sha1:") else None,
                           in_reply_to=irt, references=tuple((refs or "").split()),
                           subject=subject or "", date=d, list=lst)
        sk = subject_key(subject)
        if person is None and persons is not None:
            person = persons.get((name, email, lst or ""))
        out.append(_Row(mid, item, ts, tid, parent, frozenset(_h(x) for x in message_ids(item)),
                        _subject_hash(lst, sk) if sk else None, date, person, bool(quoted),
                        qkey))
    return out


def _neighbours(conn: sqlite3.Connection, rows: list[_Row], seen_tids: set[str],
                window: float) -> set[int]:
    """Stored messages whose links ``rows`` could change or read (one step of the closure)."""
    out: set[int] = set()
    hs = set().union(*(r.ids for r in rows)) if rows else set()
    out.update(m for (m,) in _in_chunks(conn, "SELECT msg FROM thread_idx_ids WHERE h IN ({})", hs))
    tids = {r.thread_id for r in rows if r.thread_id and r.thread_id not in seen_tids}
    seen_tids |= tids
    out.update(m for (m,) in _in_chunks(conn, "SELECT id FROM messages WHERE thread_id IN ({})",
                                         tids))
    for r in rows:  # trees whose subject lookup this message could now answer
        if r.subj is not None:
            out.update(m for (m,) in conn.execute(
                "SELECT msg FROM thread_idx_look WHERE h=? AND ts BETWEEN ? AND ?",
                (r.subj, r.ts, r.ts + window)))
    return out


def _close(conn, rows: list[_Row], closed: dict[int, _Row], seen_tids: set[str],
           window: float, dates: _Dates, persons: dict | None) -> None:
    while rows:
        for r in rows:
            closed[r.id] = r
        todo = _neighbours(conn, rows, seen_tids, window) - closed.keys()
        rows = _load(conn, todo, dates, persons) if todo else []


def _thread_step(conn: sqlite3.Connection, batch: list[int], days: int,
                 persons: dict | None = None) -> tuple[int, int]:
    """Thread one batch of new messages (inside the caller's transaction)."""
    from miner.threads import thread_messages

    window = float(days) * 86400.0
    dates = _Dates(conn)
    new = _load(conn, batch, dates, persons)
    conn.executemany("INSERT OR IGNORE INTO thread_idx_ids(h, msg) VALUES (?,?)",
                     ((h, r.id) for r in new for h in r.ids))
    conn.executemany("INSERT OR IGNORE INTO thread_idx_subj(h, ts, msg) VALUES (?,?,?)",
                     ((r.subj, r.ts, r.id) for r in new if r.subj is not None))
    closed: dict[int, _Row] = {}
    seen_tids: set[str] = set()
    _close(conn, new, closed, seen_tids, window, dates, persons)
    while True:
        rows = sorted(closed.values(), key=lambda r: r.id)
        lookups: list[tuple[str, str]] = []
        links = thread_messages([r.item for r in rows], subject_window_days=days,
                                lookups=lookups)
        by_key = {r.item.key: r for r in rows}
        missing: set[int] = set()
        for top, first in lookups:  # every message such a lookup reads must be in the set
            t, h = by_key[first].ts, by_key[top].subj
            missing.update(m for (m,) in conn.execute(
                "SELECT msg FROM thread_idx_subj WHERE h=? AND ts BETWEEN ? AND ?",
                (h, t - window, t)) if m not in closed)
        if not missing:
            break
        _close(conn, _load(conn, missing, dates, persons), closed, seen_tids, window, dates,
               persons)

    n_changed = apply_links(conn, rows, links, lookups)
    return len(closed), n_changed


def _index_current(conn: sqlite3.Connection) -> None:
    """A workspace threaded before migration 010 has no lookup tables: thread it again."""
    if conn.execute("SELECT 1 FROM settings WHERE name='thread_index' AND value='1'").fetchone():
        return
    with conn:
        if conn.execute("SELECT 1 FROM messages WHERE thread_id IS NOT NULL LIMIT 1").fetchone():
            log.info("threading the whole corpus once to build the incremental lookup tables")
            conn.execute("UPDATE messages SET thread_id=NULL, parent_key=NULL")
            for t in ("threads", "thread_idx_ids", "thread_idx_subj", "thread_idx_look"):
                conn.execute(f"DELETE FROM {t}")
        conn.execute("INSERT OR REPLACE INTO settings(name, value) VALUES ('thread_index', '1')")


def rebuild_threads(conn: sqlite3.Connection, config: Config, *, batch: int = 0) -> int:
    """Thread the messages not threaded yet (JWZ), re-threading only what they touch; write
    parent_key/thread_id, the threads table and quote links. Returns the number of threads.

    Each batch is one transaction: a run killed here leaves the rest for the next run."""
    days = int(config["subject_window_days"])
    size = batch or BATCH
    _index_current(conn)
    persons = person_map(conn)
    if _one_shot_due(conn):
        from miner.ingest.post_oneshot import thread_all

        log.debug("threading all messages at once")
        thread_all(conn, days, size, persons)
    while True:  # the new messages, or after thread_all any that arrived meanwhile
        ids = [r[0] for r in conn.execute(
            "SELECT id FROM messages WHERE thread_id IS NULL ORDER BY id LIMIT ?", (size,))]
        if not ids:
            break
        with conn:
            n_set, n_changed = _thread_step(conn, ids, days, persons)
        log.debug("threaded %d new messages: %d re-threaded, %d links changed", len(ids), n_set,
                  n_changed)
    if persons is not None:
        _finish_people(conn)
    return conn.execute("SELECT count(*) FROM threads").fetchone()[0]


_JOIN = ("FROM aliases a WHERE a.name=messages.from_name AND a.email=messages.from_email "
         "AND a.list=coalesce(messages.list, '')")


def _finish_people(conn: sqlite3.Connection) -> None:
    """After threading wrote the pending person ids: any message it did not rewrite gets its
    person here, then the affiliations (read from the people's messages) are computed."""
    with conn:
        conn.execute(f"UPDATE messages SET person_id=a.person_id {_JOIN} AND "
                     "messages.person_id IS NULL")
        # every live person: the same values for those not affected (a rare path after a
        # crash; on a first ingest every person is affected)
        _affiliations(conn, [p for (p,) in conn.execute("SELECT person_id FROM people "
                                                        "ORDER BY person_id")])
        conn.execute("DELETE FROM settings WHERE name=?", (PENDING,))


def rebuild_people(conn: sqlite3.Connection, config: Config) -> int:
    """Resolve one person per human over all (name, address, list) aliases; give the new
    messages their person and rewrite only the people whose aliases changed.

    When :func:`rebuild_threads` will thread everything at once (a first ingest), it rewrites
    every new message anyway: the new messages' person ids are then left to it (a message
    row is rewritten whole, so one UPDATE instead of two), and so are the affiliations
    (read from the people's messages); every caller runs it next."""
    from miner.people import resolve_people

    with conn:
        # Upsert, never delete: alias rowids are the stable basis of person ids. Counts grow
        # by the messages above the last counted id (before that setting existed: the
        # messages without a person); the mark moves in this same transaction.
        row = conn.execute("SELECT value FROM settings WHERE name=?", (UPTO,)).fetchone()
        new_q, args = ("id > ?", (int(row[0]),)) if row else ("person_id IS NULL", ())
        top = conn.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()[0]
        defer = _one_shot_due(conn)
        # counted here rather than by a GROUP BY, whose sorter held every new message's
        # alias (185 MB at 1M): this holds one entry per distinct alias
        cur = conn.cursor()
        cur.row_factory = None  # plain tuples
        counts: Counter = Counter(cur.execute(
            f"SELECT from_name, from_email, coalesce(list, '') FROM messages WHERE {new_q}",
            args))
        new_aliases = {r[0] for r in conn.execute("SELECT rowid, name, email, list FROM aliases")
                       if (r[1], r[2], r[3]) in counts}
        # in the GROUP BY's order (UTF-8 byte order is code point order): new aliases get the
        # rowids, hence the person ids, they always got
        conn.executemany(
            "INSERT INTO aliases(name, email, list, messages) VALUES (?,?,?,?) "
            "ON CONFLICT(name, email, list) DO UPDATE SET "
            "messages = aliases.messages + excluded.messages",
            ((n, e, lst, c) for (n, e, lst), c in sorted(counts.items())))
        del counts
        conn.execute("INSERT OR REPLACE INTO settings(name, value) VALUES (?, ?)", (UPTO, str(top)))
        aliases = conn.execute(
            "SELECT rowid, name, email, list, messages, person_id FROM aliases").fetchall()
        senders = [Sender(key=str(r[0]), name=r[1], email=r[2], list=r[3] or None, messages=r[4])
                   for r in aliases]
        forced_m = [(a, b) for a, b in conn.execute("SELECT a, b FROM merges WHERE forced=1")]
        forced_s = [(a, b) for a, b in conn.execute("SELECT a, b FROM merges WHERE forced=-1")]
        mapping, merges = resolve_people(senders, forced_merges=forced_m, forced_splits=forced_s)
        del senders
        groups: dict[int, list] = defaultdict(list)
        for r in aliases:
            groups[mapping[str(r[0])]].append(r)
        pid_of = {}
        for rows in groups.values():
            pid = min(r[0] for r in rows)
            for r in rows:
                pid_of[r[0]] = pid
        moved = [(pid_of[r[0]], r[0]) for r in aliases if r[5] != pid_of[r[0]]]
        old_pids = {r[5] for r in aliases if r[5] is not None and r[5] != pid_of[r[0]]}
        affected = old_pids | {p for p, _ in moved} | {pid_of[a] for a in new_aliases} | {
            pid_of[r[0]] for r in aliases if r[5] is None}
        # threads whose participant count may change: those of people merged or split
        stale_tids = {t for (t,) in _in_chunks(
            conn, "SELECT DISTINCT thread_id FROM messages WHERE person_id IN ({}) "
            "AND thread_id IS NOT NULL", old_pids)}
        conn.executemany("UPDATE aliases SET person_id=? WHERE rowid=?", moved)
        join = _JOIN
        if defer:
            conn.execute("INSERT OR REPLACE INTO settings(name, value) VALUES (?, '1')",
                         (PENDING,))
        else:
            conn.execute(f"UPDATE messages SET person_id=a.person_id {join} AND "
                         "messages.person_id IS NULL")
        list(_in_chunks(conn, f"UPDATE messages SET person_id=a.person_id {join} AND "
                              "messages.person_id IN ({}) AND messages.person_id IS NOT a.person_id",
                        old_pids))
        conn.execute("DELETE FROM merges WHERE forced=0")
        conn.executemany("INSERT INTO merges(a, b, reason, forced) VALUES (?,?,?,0)",
                         ((m.a, m.b, m.reason) for m in merges))
        list(_in_chunks(conn, "DELETE FROM people WHERE person_id IN ({})", affected))
        conn.executemany("INSERT INTO people(person_id, name, email, messages) VALUES (?,?,?,?)",
                         (_person_row(rows) for rows in groups.values()
                          if min(r[0] for r in rows) in affected))
        live = set(pid_of.values())
        if not defer:
            _affiliations(conn, sorted(p for p in affected if p in live))
        for t in stale_tids:
            conn.execute("UPDATE threads SET participants=(SELECT count(DISTINCT person_id) FROM "
                         "messages WHERE thread_id=?) WHERE thread_id=?", (t, t))
    return conn.execute("SELECT count(*) FROM people").fetchone()[0]


def _person_row(members: list) -> tuple:
    """(person id, display name, main address, messages) of one group of alias rows."""
    from miner.people import display_name

    # sorted: the result must not depend on the order aliases were first seen in
    members = sorted(members, key=lambda r: (r[1], r[2], r[3]))
    names: Counter = Counter()
    emails: Counter = Counter()
    for r in members:
        if r[1]:
            names[r[1]] += r[4]
        emails[r[2]] += r[4]
    name = display_name(dict(names.most_common())) if names \
        else (emails.most_common(1)[0][0] if emails else "")
    email = emails.most_common(1)[0][0] if emails else ""
    return min(r[0] for r in members), name, email, sum(r[4] for r in members)


def _affiliations(conn: sqlite3.Connection, pids: list[int]) -> None:
    """Title, organisation and country of ``pids`` from their latest signatures, else the
    domain (inside the caller's transaction)."""
    from miner.clean import parse_signature

    try:
        from miner.orgs import org_from_domain
    except ImportError:  # pragma: no cover - orgs table is optional
        org_from_domain = None
    updates = []
    for pid in pids:
        row = conn.execute("SELECT name, email FROM people WHERE person_id=?", (pid,)).fetchone()
        if row is None:
            continue
        name, email = row
        title = org = country = evidence = None
        for key, sig in conn.execute(
                "SELECT key, signature FROM messages WHERE person_id=? AND signature != '' "
                "ORDER BY date DESC, id DESC LIMIT 5", (pid,)).fetchall():
            s = parse_signature(sig, author_name=name)
            if s is None:
                continue
            if s.title or s.organisation or s.country:
                title = title or s.title
                org = org or s.organisation
                country = country or s.country
                evidence = evidence or key
            if title and org and country:
                break
        if org_from_domain is not None and (org is None or country is None) and email:
            d_org, d_country = org_from_domain(email)
            org = org or d_org
            country = country or d_country
        updates.append((title, org, country, evidence, pid))
    conn.executemany("UPDATE people SET title=?, organisation=?, country=?, evidence_key=? "
                     "WHERE person_id=?", updates)
