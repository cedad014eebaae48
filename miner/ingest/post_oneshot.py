"""Thread the whole corpus at once (the post phase's path when most messages are new, as on
a first ingest), in bounded memory and without the incremental path's closure queries.

Two messages can only change each other's links through a Message-ID both read or through
subject joining (the same list and subject key), so the corpus splits into independent
components over those two relations, and threading each component alone gives the links one
:func:`miner.threads.thread_messages` call over every message (in id order) gives, provided
every undated message gets the date that call would give it (the nearest earlier dated message
in id order, else the first dated one): what the incremental path gives too.

1. One pass in id order writes the lookup rows of migration 010 (they are needed later by the
   incremental path anyway) and notes, per message, the message whose date it takes.
2. Both lookup tables are ordered by hash: one scan of each unions the messages that share a
   hash (union-find over an integer array).
3. Components, in the order of their smallest id, are packed into batches of about
   :data:`miner.ingest.post.BATCH` messages; each batch is threaded and written in its own
   transaction (a killed run leaves whole components threaded; the rest is done next run).

A corpus of at most one batch is read once and threaded in one transaction (steps 1 to 3 in
one).

With several cores (``MINER_INGEST_WORKERS``, default min(4, cores)) and at least
:data:`_MIN_PARALLEL` messages, forked worker processes read through their own read-only
connections and do the per-message work: step 1's reading and hashing by id ranges (the
writer joins the undated messages at a range's start to the last dated message before it),
and step 3's threading and quote matching by batches of components, returning what to write
(:class:`miner.ingest.post_write.Plan`); this process only inserts and writes, in the same
order and transactions, so the result is the same (tests/threads/test_incremental.py).

Memory: a few integer arrays over the message ids (about 40 bytes per message) plus one batch.
"""
from __future__ import annotations

import gc
import logging
import os
import sqlite3
from array import array
from datetime import UTC, datetime

from miner.ingest.post_write import (Plan, Row, h, in_chunks, parse_date, plan_links,
                                     subject_hash, write_plan)
from miner.types import ThreadInput

log = logging.getLogger(__name__)

_READ = 20_000  # messages read per query in the first pass


def thread_all(conn: sqlite3.Connection, days: int, batch: int,
               persons: dict | None = None) -> None:
    """Thread every stored message (threaded or not), writing only what changes; ``persons``:
    see :func:`miner.ingest.post.person_map`."""
    n, top = conn.execute("SELECT count(*), max(id) FROM messages").fetchone()
    if not n:
        return
    workers = _workers(conn, n)
    if n <= batch and not workers:  # one batch: read once, index and thread together
        with conn:
            _thread_batch(conn, None, None, days, persons)
        return
    if not workers:
        donor = _index_pass(conn, top)
        uf = _components(conn, top)
        for ids in _batches(conn, uf, batch):
            with conn:
                _thread_batch(conn, ids, donor, days, persons)
        return
    # the second core: workers read and hash the lookup rows of id ranges, then thread and
    # link quotes of whole components (reading through their own connections), while this
    # process only joins and writes what they found
    import multiprocessing as mp
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    # forked, not spawned: a spawned worker runs the caller's main script again (a script
    # without an `if __name__ == "__main__"` guard would break), and costs ~0.3 s to start.
    # This process's page cache is dropped and the freed heap given back first (92 -> 25 MB
    # after a scan of 50k messages), so the workers do not start with a copy of either.
    # The objects alive at the fork are frozen: a worker's collector would otherwise visit
    # them all and so copy every page that holds one (copy-on-write).
    conn.execute("PRAGMA shrink_memory")
    _trim_heap()
    gc.collect()
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=workers[1], mp_context=mp.get_context("fork"),
                                 initializer=_init_worker,
                                 initargs=(os.getpid(), workers[0], days, persons)) as pool:
            step = max(_MIN_PACK, min(_READ, top // (4 * workers[1]) + 1))
            donor = _index_pass_pooled(conn, top, pool, step, 2 * workers[1])
            uf = _components(conn, top)
            pack = min(batch, _MAX_PACK, max(_MIN_PACK, n // (4 * workers[1])))
            pending: deque = deque()
            for ids in _batches(conn, uf, batch, pack):
                pending.append(pool.submit(_plan_batch, ids, [donor[i] for i in ids]))
                if len(pending) > 2 * workers[1]:  # bounded read-ahead keeps memory flat
                    _write(conn, pending.popleft().result())
            while pending:
                _write(conn, pending.popleft().result())
    finally:
        gc.unfreeze()


_task_ctx: list = []  # in a worker: [database path, subject window days, persons]
_MIN_PACK = 2_000  # messages per worker task at least (fewer: the per-task cost shows)
_MAX_PACK = 3_000  # and at most (what a worker holds: memory; components are never cut)
_MIN_PARALLEL = 20_000  # fewer messages: threaded in this process (at 10k the gain is in the noise)


def _workers(conn: sqlite3.Connection, n: int) -> tuple[str, int] | None:
    """(database path, worker processes) when threading in worker processes pays, else None:
    several cores, a database file (workers open their own connection) and fork."""
    import multiprocessing as mp

    env = os.environ.get("MINER_INGEST_WORKERS")
    count = max(1, int(env)) if env else min(4, os.cpu_count() or 1)
    if count < 2 or n < _MIN_PARALLEL or "fork" not in mp.get_all_start_methods():
        return None
    path = next((p for _, name, p in conn.execute("PRAGMA database_list") if name == "main"),
                None)
    # one core stays with the writer, which joins and writes all along: on 2 cores a second
    # worker only adds its memory (at 1M each held ~85 MB PSS beside the writer's ~240)
    return (path, count - 1) if path else None


def _trim_heap() -> None:
    """Give freed heap pages back to the system (glibc's malloc_trim; elsewhere nothing)."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _init_worker(parent: int, db: str, days: int,
                 persons: dict | None) -> None:  # pragma: no cover - runs in the workers
    """Keep what every task needs; end when the writer is killed (else a worker would wait
    on its queue forever, holding the writer's output pipes open)."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError, TypeError):  # not Linux: the check below only
        pass
    if os.getppid() != parent:  # the writer died before the line above ran
        os._exit(1)
    _task_ctx[:] = [db, days, persons]


def _task_conn() -> sqlite3.Connection:  # in a worker process
    conn = getattr(_task_conn, "conn", None)
    if conn is None:
        conn = sqlite3.connect(_task_ctx[0], timeout=60)
        conn.execute("PRAGMA query_only = ON")
        conn.execute("PRAGMA cache_size = -8192")  # 8 MB: a worker reads each page about once
        _task_conn.conn = conn  # type: ignore[attr-defined]
    return conn


def _plan_batch(ids: list[int], donors: list[int]) -> Plan:  # runs in a worker process
    """Thread ``ids`` (whole components; ``donors``: the id each takes its date from) and
    decide what to write, reading only."""
    conn = _task_conn()
    rows, links, lookups = _thread_rows(conn, ids, dict(zip(ids, donors)), _task_ctx[1], {},
                                        _task_ctx[2])
    return plan_links(conn, rows, links, lookups)


class _Slice:
    """``donor[mid] = v`` into an array that covers ids ``lo`` to ``lo + len - 1``."""

    def __init__(self, lo: int, n: int) -> None:
        self.lo = lo
        self.a = array("q", [-1]) * n

    def __setitem__(self, mid: int, v: int) -> None:
        self.a[mid - self.lo] = v


def _index_range(lo: int, hi: int) -> tuple:  # runs in a worker process
    """The lookup rows of the messages with ids in [lo, hi), as :func:`_index_pass` makes
    them, except for the undated messages before the range's first dated one (``lead``):
    their date comes from an earlier range, which the writer joins in."""
    rows = _task_conn().execute(f"SELECT {_READ_COLS} FROM messages WHERE id >= ? AND id < ? "
                                "ORDER BY id", (lo, hi)).fetchall()
    k = next((i for i, r in enumerate(rows) if parse_date(r[5])[1] is not None), len(rows))
    donor = _Slice(lo, hi - lo)
    ids_rows: list = []
    subj_rows: list = []
    lead: list = []  # (subject hash, id) of the leading undated messages
    _index_rows(rows[:k], donor, [-1, 0.0], ids_rows, subj_rows, lead)
    state: list = [-1, 0.0]
    _index_rows(rows[k:], donor, state, ids_rows, subj_rows, [])
    first = (rows[k][0], parse_date(rows[k][5])[1]) if k < len(rows) else None
    return (ids_rows, subj_rows, [r[0] for r in rows[:k]], lead, first,
            tuple(state) if state[0] >= 0 else None, donor.a)


def _index_pass_pooled(conn: sqlite3.Connection, top: int, pool, step: int,
                       ahead: int) -> array:
    """:func:`_index_pass` with the reading and hashing done by ``pool``, by id ranges."""
    from collections import deque

    donor = array("q", [-1]) * (top + 1)
    last: tuple[int, float] | None = None  # the last dated message so far
    early: list[tuple[int, int]] = []  # (subject hash, id) of undated messages before any dated
    spool = _Spool(conn)
    pending: deque = deque()

    def join(lo: int, res: tuple) -> None:
        nonlocal last
        ids_rows, subj_rows, lead_ids, lead, first, end, part = res
        donor[lo:lo + len(part)] = part
        if last is not None:
            for m in lead_ids:
                donor[m] = last[0]
            subj_rows.extend((sh, last[1], m) for sh, m in lead)
        else:
            early.extend(lead)
            if first is not None:  # the undated messages before the first dated one take its date
                subj_rows.extend((sh, first[1], m) for sh, m in early)
                for _, m in early:
                    donor[m] = first[0]
                early.clear()
        if end is not None:
            last = end
        spool.add(ids_rows, subj_rows)

    for lo in range(0, top + 1, step):
        hi = min(lo + step, top + 1)
        pending.append((lo, pool.submit(_index_range, lo, hi)))
        if len(pending) > ahead:
            a, fut = pending.popleft()
            join(a, fut.result())
    while pending:
        a, fut = pending.popleft()
        join(a, fut.result())
    with conn:
        spool.add([], [(sh, 0.0, m) for sh, m in early])  # no message is dated: the epoch
        spool.flush()
    return donor


def _write(conn: sqlite3.Connection, plan: Plan) -> None:
    with conn:
        n = write_plan(conn, plan)
    log.debug("one-shot threading: %d messages, %d links changed", len(plan.ids), n)


_READ_COLS = "id, message_id, in_reply_to, refs, subject, date, list"


def _index_rows(rows, donor: array | None, state: list, ids_rows: list, subj_rows: list,
                early: list, subjects: dict[str, tuple[str, bool]] | None = None) -> None:
    """The lookup rows of ``rows`` (``_READ_COLS``, in id order) and their date donors.
    ``state`` is [last dated id, its timestamp], carried from one call to the next.

    The ids hashed are those of :func:`miner.threads.message_ids`; an id is read by several
    messages (its own, its replies' In-Reply-To and References) and a subject by a thread's
    replies, so both are hashed once per call."""
    from miner.threads import parse_msgids, subject_info

    last, last_ts = state
    hashes: dict[str, int] = {}
    info = {} if subjects is None else subjects  # raw subject -> (key, is a reply)
    subj_h: dict[tuple[str | None, str], int | None] = {}
    for mid, msgid, irt, refs, subject, date, lst in rows:
        _, ts = parse_date(date)
        if ts is not None:
            if last < 0:  # the undated messages before the first dated one take its date
                subj_rows.extend((sh, ts, m) for sh, m in early)
                if donor is not None:
                    for _, m in early:
                        donor[m] = mid
                early.clear()
            last, last_ts = mid, ts
        if donor is not None:
            donor[mid] = last
        ids = set(parse_msgids(irt))
        if not msgid.startswith("sha1:"):
            ids.update(parse_msgids(msgid)[:1])
        if refs:
            for r in refs.split():
                ids.update(parse_msgids(r))
        for x in ids:
            hx = hashes.get(x)
            if hx is None:
                hx = hashes[x] = h(x)
            ids_rows.append((hx, mid))
        sh = subj_h.get((lst, subject), 0)
        if sh == 0:
            s = subject or ""
            si = info.get(s)
            if si is None:
                si = info[s] = subject_info(s)
            sh = subj_h[(lst, subject)] = subject_hash(lst, si[0]) if si[0] else None
        if sh is not None:
            if last < 0:
                early.append((sh, mid))
            else:
                subj_rows.append((sh, last_ts, mid))
    state[:] = [last, last_ts]


_SPOOL = 400_000  # lookup rows gathered (in temporary tables) before one ordered insert


class _Spool:
    """Lookup rows gathered in temporary tables, then inserted in one ordered pass per
    :data:`_SPOOL` rows: appending to a B-tree in key order costs half the CPU of inserting
    sorted chunks at places spread over it (measured: 1.2 vs 2.2 s per 400k rows)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.n = 0
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS _spool_ids(h INTEGER, msg INTEGER)")
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS _spool_subj(h INTEGER, ts REAL, "
                     "msg INTEGER)")
        conn.execute("DELETE FROM _spool_ids")
        conn.execute("DELETE FROM _spool_subj")

    def add(self, ids_rows: list, subj_rows: list) -> None:
        self.conn.executemany("INSERT INTO _spool_ids VALUES (?,?)", ids_rows)
        self.conn.executemany("INSERT INTO _spool_subj VALUES (?,?,?)", subj_rows)
        self.n += len(ids_rows) + len(subj_rows)
        if self.n >= _SPOOL:
            with self.conn:
                self.flush()

    def flush(self) -> None:
        """Insert what is gathered (inside the caller's transaction)."""
        self.conn.execute("INSERT OR IGNORE INTO thread_idx_ids(h, msg) SELECT h, msg "
                          "FROM _spool_ids ORDER BY h, msg")
        self.conn.execute("INSERT OR IGNORE INTO thread_idx_subj(h, ts, msg) SELECT h, ts, "
                          "msg FROM _spool_subj ORDER BY h, ts, msg")
        self.conn.execute("DELETE FROM _spool_ids")
        self.conn.execute("DELETE FROM _spool_subj")
        self.n = 0


def _index_pass(conn: sqlite3.Connection, top: int) -> array:
    """Write the lookup rows of every message; return, per id, the id whose date it takes
    (-1: no message is dated, the epoch)."""
    donor = array("q", [-1]) * (top + 1)
    state: list = [-1, 0.0]
    early: list[tuple[int, int]] = []  # (subject hash, id) of undated messages before any dated
    spool = _Spool(conn)
    lo = 0
    while True:
        rows = conn.execute(f"SELECT {_READ_COLS} FROM messages WHERE id > ? ORDER BY id LIMIT ?",
                            (lo, _READ)).fetchall()
        if not rows:
            break
        lo = rows[-1][0]
        ids_rows: list[tuple[int, int]] = []
        subj_rows: list[tuple[int, float, int]] = []
        _index_rows(rows, donor, state, ids_rows, subj_rows, early)
        del rows
        spool.add(ids_rows, subj_rows)
    with conn:
        spool.add([], [(sh, 0.0, m) for sh, m in early])  # no message is dated: the epoch
        spool.flush()
    return donor


def _components(conn: sqlite3.Connection, top: int) -> array:
    """Union-find over message ids: messages sharing a Message-ID hash or a subject hash."""
    uf = array("q", range(top + 1))

    def find(x: int) -> int:
        while uf[x] != x:
            uf[x] = uf[uf[x]]
            x = uf[x]
        return x

    for sql in ("SELECT h, msg FROM thread_idx_ids", "SELECT h, msg FROM thread_idx_subj"):
        prev, first = None, -1
        for hv, m in conn.execute(sql):  # primary-key order: grouped by hash
            if m > top:
                continue
            if hv != prev:
                prev, first = hv, find(m)
                continue
            b = find(m)
            if b != first:  # the smaller id is the root: a component's root is its first id
                if b < first:
                    uf[first] = b
                    first = b
                else:
                    uf[b] = first
    for x in range(top + 1):
        uf[x] = find(x)
    return uf


MAX_COMPONENT = 4  # a component above this many batches is left to the incremental path


def _batches(conn: sqlite3.Connection, uf: array, size: int, pack: int = 0):
    """Lists of about ``pack`` (default ``size``) message ids, whole components in the order
    of their first message.

    Components join messages through any shared subject key however far apart in time (the
    subject-joining window is not applied here), so a list where one subject recurs for years
    ("help", "[list] digest") can make one component of most of the corpus. A component larger
    than ``MAX_COMPONENT`` batches is not yielded: its messages stay unthreaded and
    :func:`miner.ingest.post.rebuild_threads` threads them next, in batches of ``size`` with
    windowed closures. Components are independent, so the result is the same; memory stays
    bounded by the batch."""
    import numpy as np

    ids = np.fromiter((i for (i,) in conn.execute("SELECT id FROM messages ORDER BY id")),
                      dtype=np.int64)
    roots = np.frombuffer(uf, dtype=np.int64)[ids]
    order = np.argsort(roots, kind="stable")  # by component, then by id
    ids, roots = ids[order], roots[order]
    del order
    starts = np.flatnonzero(np.r_[True, roots[1:] != roots[:-1]])
    ends = np.r_[starts[1:], len(ids)]
    big = (ends - starts) > MAX_COMPONENT * size
    if big.any():
        keep = np.ones(len(ids), dtype=bool)
        for a, b in zip(starts[big].tolist(), ends[big].tolist()):
            keep[a:b] = False
        log.info("post phase: %d component(s) of %d messages left to the incremental path",
                 int(big.sum()), int(len(ids) - keep.sum()))
        ids, roots = ids[keep], roots[keep]
        if not len(ids):
            return
        starts = np.flatnonzero(np.r_[True, roots[1:] != roots[:-1]])
    lo = 0
    pack = pack or size
    for s in starts[1:].tolist() + [len(ids)]:  # cut only where a component starts
        if s - lo >= pack or s == len(ids):
            yield np.sort(ids[lo:s]).tolist()
            lo = s


def _thread_batch(conn: sqlite3.Connection, ids: list[int] | None, donor: array | None,
                  days: int, persons: dict | None = None) -> None:
    """Thread ``ids`` (whole components; None: every message, indexing them too) and write
    the result (inside the caller's transaction)."""
    subjects: dict[str, tuple[str, bool]] = {}  # shared by the index rows and the threading
    rows, links, lookups = _thread_rows(conn, ids, donor, days, subjects, persons)
    n = write_plan(conn, plan_links(conn, rows, links, lookups))
    log.debug("one-shot threading: %d messages, %d links changed", len(rows), n)


def _thread_rows(conn: sqlite3.Connection, ids: list[int] | None, donor,
                 days: int, subjects: dict[str, tuple[str, bool]], persons: dict | None = None
                 ) -> tuple[list[Row], list, list[tuple[str, str]]]:
    """The rows of ``ids`` (None: every message, whose lookup rows are written here), their
    links and subject lookups."""
    from miner.ingest.post import _COLS
    from miner.threads import thread_messages

    if ids is None:
        raw = conn.execute(f"SELECT {_COLS} FROM messages ORDER BY id").fetchall()
        ids_rows: list = []
        subj_rows: list = []
        early: list = []
        state: list = [-1, 0.0]
        # _READ_COLS out of _COLS: id, message_id, in_reply_to, refs, subject, date, list
        _index_rows(((r[0], r[2], r[3], r[4], r[5], r[6], r[7]) for r in raw), None, state,
                    ids_rows, subj_rows, early, subjects)
        spool = _Spool(conn)
        spool.add(ids_rows, subj_rows + [(sh, 0.0, m) for sh, m in early])
        del ids_rows, subj_rows
        spool.flush()
    else:
        raw = list(in_chunks(conn, f"SELECT {_COLS} FROM messages WHERE id IN ({{}})", ids))
        raw.sort(key=lambda r: r[0])
    epoch = datetime.fromtimestamp(0, tz=UTC)
    rows = []
    first_dated: tuple | None = None
    if ids is None:  # an undated message takes the date of the nearest earlier dated one
        first_dated = next((d for d in (parse_date(r[6]) for r in raw) if d[0] is not None),
                           (epoch, 0.0))
        last = first_dated
    else:
        assert donor is not None
        date_of = {r[0]: r[6] for r in raw}
        borrowed = {donor[r[0]] for r in raw if donor[r[0]] != r[0] and donor[r[0]] >= 0} \
            - date_of.keys()
        date_of.update((i, d) for i, d in in_chunks(
            conn, "SELECT id, date FROM messages WHERE id IN ({})", borrowed))
    for (mid, key, msgid, irt, refs, subject, date, lst, tid, parent, person, quoted,
         qkey, name, email) in raw:
        if person is None and persons is not None:
            person = persons.get((name, email, lst or ""))
        if ids is None:
            d, ts = parse_date(date)
            if d is None or ts is None:
                d, ts = last
            else:
                last = (d, ts)
        else:
            src = donor[mid]
            d, ts = parse_date(date_of[src]) if src >= 0 else (epoch, 0.0)
            if d is None or ts is None:  # the donor's date parsed in the first pass
                raise RuntimeError(f"message {src}: its date no longer parses; run ingest again")
        item = ThreadInput(key=key, message_id=msgid if not msgid.startswith("sha1:") else None,
                           in_reply_to=irt, references=tuple((refs or "").split()),
                           subject=subject or "", date=d, list=lst)
        rows.append(Row(mid, item, ts, tid, parent, frozenset(), None, date, person, bool(quoted),
                        qkey))
    del raw
    lookups: list[tuple[str, str]] = []
    links = thread_messages([r.item for r in rows], subject_window_days=days, lookups=lookups,
                            subjects=subjects)
    return rows, links, lookups
