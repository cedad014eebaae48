"""After new messages land: resolve people and rebuild threads over the whole corpus.

Both are global by nature (a new message can join two threads or two aliases), and both
are fast enough to redo from the stored fields: JWZ threading and blocked identity
resolution are near-linear.
"""
from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections import Counter, defaultdict
from datetime import datetime

from miner.config import Config
from miner.types import Sender, ThreadInput

log = logging.getLogger(__name__)


def thread_id_for(root_key: str) -> str:
    return "t" + hashlib.sha1(root_key.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def rebuild_threads(conn: sqlite3.Connection, config: Config) -> int:
    """Thread every message (JWZ); write parent_key/thread_id and the threads table."""
    from miner.threads import normalize_subject, thread_messages

    items = []
    for key, mid, irt, refs, subject, date, lst in conn.execute(
        "SELECT key, message_id, in_reply_to, refs, subject, date, list FROM messages"
    ):
        items.append(ThreadInput(
            key=key, message_id=mid if not mid.startswith("sha1:") else None,
            in_reply_to=irt, references=tuple((refs or "").split()), subject=subject or "",
            date=datetime.fromisoformat(date) if date else None, list=lst,
        ))
    links = thread_messages(items, subject_window_days=int(config["subject_window_days"]))
    del items
    with conn:
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS _links(key TEXT PRIMARY KEY, parent TEXT, tid TEXT)")
        conn.execute("DELETE FROM _links")
        tid_of: dict[str, str] = {}  # root key -> thread id, hashed once per thread
        rows_l = []
        for ln in links:
            tid = tid_of.get(ln.root_key)
            if tid is None:
                tid = tid_of[ln.root_key] = thread_id_for(ln.root_key)
            rows_l.append((ln.key, ln.parent_key, tid))
        conn.executemany("INSERT INTO _links VALUES (?,?,?)", rows_l)
        del rows_l
        conn.execute(
            "UPDATE messages SET parent_key=l.parent, thread_id=l.tid FROM _links l "
            "WHERE l.key=messages.key AND (messages.thread_id IS NOT l.tid "
            "OR messages.parent_key IS NOT l.parent)")
        roots = {tid: root for root, tid in tid_of.items()}
        conn.execute("DELETE FROM threads")
        rows = conn.execute(
            "SELECT thread_id, min(date), max(date), count(*), count(DISTINCT person_id) "
            "FROM messages GROUP BY thread_id").fetchall()
        # subject and list of every root in one pass (was one query per thread)
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS _roots(key TEXT PRIMARY KEY)")
        conn.execute("DELETE FROM _roots")
        conn.executemany("INSERT OR IGNORE INTO _roots VALUES (?)", ((r,) for r in tid_of))
        root_info = {k: (subj, lst) for k, subj, lst in conn.execute(
            "SELECT m.key, m.subject, m.list FROM _roots r JOIN messages m ON m.key = r.key")}
        conn.execute("DROP TABLE _roots")
        out = []
        for tid, start, end, n, participants in rows:
            root = roots.get(tid)
            subject, lst = root_info.get(root, ("", None)) if root is not None else ("", None)
            out.append((tid, root, lst, normalize_subject(subject) or subject, start, end, n,
                        participants))
        conn.executemany("INSERT INTO threads(thread_id, root_key, list, subject, start, \"end\", "
                         "messages, participants) VALUES (?,?,?,?,?,?,?,?)", out)
        conn.execute("DROP TABLE _links")
    return len(out)


def rebuild_people(conn: sqlite3.Connection, config: Config) -> int:
    """Resolve one person per human over all (name, address, list) aliases."""
    from miner.people import display_name, resolve_people

    with conn:
        # Upsert, never delete: alias rowids are the stable basis of person ids.
        conn.execute(
            "INSERT INTO aliases(name, email, list, messages) SELECT from_name, from_email, "
            "coalesce(list, ''), count(*) FROM messages WHERE true GROUP BY from_name, from_email, "
            "coalesce(list, '') ON CONFLICT(name, email, list) DO UPDATE SET "
            "messages = excluded.messages")
    aliases = conn.execute("SELECT rowid, name, email, list, messages FROM aliases").fetchall()
    senders = [Sender(key=str(r[0]), name=r[1], email=r[2], list=r[3] or None, messages=r[4])
               for r in aliases]
    forced_m = [(a, b) for a, b in conn.execute("SELECT a, b FROM merges WHERE forced=1")]
    forced_s = [(a, b) for a, b in conn.execute("SELECT a, b FROM merges WHERE forced=-1")]
    mapping, merges = resolve_people(senders, forced_merges=forced_m, forced_splits=forced_s)
    # person ids are stable: the smallest alias rowid of the group
    groups: dict[int, list] = defaultdict(list)
    for r in aliases:
        groups[mapping[str(r[0])]].append(r)
    pid_of = {}
    for idx, rows in groups.items():
        pid = min(r[0] for r in rows)
        for r in rows:
            pid_of[r[0]] = pid
    with conn:
        conn.executemany("UPDATE aliases SET person_id=? WHERE rowid=?",
                         ((pid, rowid) for rowid, pid in pid_of.items()))
        conn.execute(
            "UPDATE messages SET person_id=a.person_id FROM aliases a WHERE a.name=messages.from_name "
            "AND a.email=messages.from_email AND a.list=coalesce(messages.list, '') "
            "AND messages.person_id IS NOT a.person_id")
        conn.execute("DELETE FROM merges WHERE forced=0")
        conn.executemany("INSERT INTO merges(a, b, reason, forced) VALUES (?,?,?,0)",
                         ((m.a, m.b, m.reason) for m in merges))
        keep = {r[0]: (r[1], r[2], r[3]) for r in conn.execute(
            "SELECT person_id, organisation, title, country FROM people")}
        conn.execute("DELETE FROM people")
        rows = []
        for idx, members in groups.items():
            pid = min(r[0] for r in members)
            names: Counter = Counter()
            emails: Counter = Counter()
            for r in members:
                if r[1]:
                    names[r[1]] += r[4]
                emails[r[2]] += r[4]
            name = display_name([n for n, c in names.most_common() for _ in range(c)]) if names \
                else (emails.most_common(1)[0][0] if emails else "")
            email = emails.most_common(1)[0][0] if emails else ""
            org, title, country = keep.get(pid, (None, None, None))
            rows.append((pid, name, email, org, title, country, sum(r[4] for r in members)))
        conn.executemany("INSERT INTO people(person_id, name, email, organisation, title, country, "
                         "messages) VALUES (?,?,?,?,?,?,?)", rows)
    _affiliations(conn)
    return len(rows)


def _affiliations(conn: sqlite3.Connection) -> None:
    """Title, organisation and country per person from their latest signatures, else the domain."""
    from miner.clean import parse_signature

    try:
        from miner.orgs import org_from_domain
    except ImportError:  # pragma: no cover - orgs table is optional
        org_from_domain = None
    # The latest five signatures of every person in one query (was one query per person).
    sigs: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for pid, key, sig in conn.execute(
        "SELECT person_id, key, signature FROM (SELECT person_id, key, signature, "
        "row_number() OVER (PARTITION BY person_id ORDER BY date DESC) AS rn FROM messages "
        "WHERE signature != '' AND person_id IS NOT NULL) WHERE rn <= 5 ORDER BY person_id, rn"
    ):
        sigs[pid].append((key, sig))
    updates = []
    for pid, name, email in conn.execute("SELECT person_id, name, email FROM people").fetchall():
        title = org = country = evidence = None
        for key, sig in sigs.get(pid, ()):
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
    with conn:
        conn.executemany("UPDATE people SET title=?, organisation=?, country=?, evidence_key=? "
                         "WHERE person_id=?", updates)
