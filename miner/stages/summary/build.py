"""Assembling a consolidated reply: the discussion, its query, contributors, themes,
experiences by place, resources, related discussions, the responses in full and an extractive
summary. Nothing is generated: every point is a span of a message's new text."""
from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

import numpy as np

from miner.errors import NotFoundError
from miner.stages.summary import resources as R
from miner.stages.summary import themes as T
from miner.stages.summary.records import (
    ConsolidatedReply, Contributor, Experience, Point, Query, Related, Response, Theme,
)

log = logging.getLogger(__name__)

_SUBJECT_NOISE = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|sv|tr|rv|antw)\s*(?:\[\d+\])?\s*:\s*|"
                            r"\[[^\]]{1,40}\]\s*)+", re.I)
_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_CUES = re.compile(r"\b(?:recommend|lesson|learn(?:ed|t)|key|important|crucial|success|"
                   r"worked|challenge|should|must|experience|practice|found that|result)\w*", re.I)


@dataclass(frozen=True, slots=True)
class Msg:
    key: str
    message_id: str
    thread_id: str
    date: datetime | None
    author: str
    who: str  # a stable identity: person id, else e-mail, else name
    subject: str
    text: str
    permalink: str | None
    title: str | None
    organisation: str | None
    country: str | None

    def point(self, text: str) -> Point:
        return Point(text, self.message_id, self.author, self.organisation, self.country,
                     self.permalink)


def clean_subject(s: str) -> str:
    return _CTRL.sub("", _SUBJECT_NOISE.sub("", s or "")).strip()


def clean_text(s: str) -> str:
    """The new text as shown in full: control characters removed, trailing space trimmed."""
    return "\n".join(line.rstrip() for line in _CTRL.sub("", s or "").strip().split("\n"))


# --------------------------------------------------------------------------- loading

def _dt(s):
    return datetime.fromisoformat(s) if s else None


def select_threads(conn: sqlite3.Connection, refs: Sequence[str], subject_pattern: str | None,
                   since: str | None, until: str | None) -> list[str]:
    """Thread ids of a discussion: given refs (thread ids or Message-IDs), or threads whose
    subject contains ``subject_pattern`` (``*`` is a wildcard) and/or that start
    within ``since``..``until`` (ISO dates, inclusive)."""
    from miner.store.queries import resolve_thread

    ids = [resolve_thread(conn, r).thread_id for r in refs]
    if subject_pattern or since or until:
        where, args = [], []
        if subject_pattern:
            pat = subject_pattern.replace("%", r"\%").replace("_", r"\_").replace("*", "%")
            where.append("t.subject LIKE ? ESCAPE '\\'")
            args.append(f"%{pat}%")
        if since:
            where.append("t.start >= ?")
            args.append(since)
        if until:
            where.append("t.start < ?")
            args.append(until + ("T99" if len(until) == 10 else "\uffff"))
        sql = "SELECT t.thread_id FROM threads t WHERE " + " AND ".join(where) + " ORDER BY t.start"
        ids += [r[0] for r in conn.execute(sql, args)]
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise NotFoundError(
            f"no thread matches subject {subject_pattern!r} between {since or 'the start'} and "
            f"{until or 'the end'}; 'miner threads' lists the threads")
    return ids


def load_messages(conn: sqlite3.Connection, thread_ids: Sequence[str]) -> list[Msg]:
    q = ",".join("?" * len(thread_ids))
    rows = conn.execute(
        "SELECT m.key, m.message_id, m.thread_id, m.date, m.from_name, m.from_email, m.person_id,"
        " m.subject, m.text, m.signature, m.permalink, p.name, p.title, p.organisation, p.country"
        f" FROM messages m LEFT JOIN people p ON p.person_id = m.person_id"
        f" WHERE m.thread_id IN ({q}) AND m.digest_of IS NULL"
        " ORDER BY m.date IS NULL, m.date, m.id", list(thread_ids)).fetchall()
    out = []
    for (key, mid, tid, date, fname, femail, pid, subj, text, sig, perma, pname, title, org,
         country) in rows:
        if sig and not (org and country):
            try:
                from miner.clean.signature import parse_signature

                s = parse_signature(sig, author_name=fname)
                title, org, country = title or s.title, org or s.organisation, country or s.country
            except Exception as e:  # noqa: BLE001 - a signature we cannot read is just unknown
                log.debug("signature of %s not parsed: %s", mid, e)
        name = _CTRL.sub("", pname or fname or femail or "unknown").strip() or "unknown"
        who = f"p{pid}" if pid is not None else (femail or name).lower()
        out.append(Msg(key, mid, tid, _dt(date), name, who, subj or "", text or "", perma,
                       title, org, R.canonical_country(country)))
    return out


def practice_kinds(conn: sqlite3.Connection, mids: Sequence[str]) -> dict[str, dict[str, str]]:
    """{message_id: {flat sentence: kind}} from the practices stage's lesson cards (a card
    counts for each message it was merged from), when that stage has run."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name='practice_cards'").fetchone():
        return {}
    wanted = set(mids)
    out: dict[str, dict[str, str]] = {}
    try:
        rows = conn.execute(
            "SELECT coalesce(s.message_id, c.message_id), c.text, c.kind FROM practice_cards c "
            "LEFT JOIN practice_sources s ON s.card_id = c.card_id").fetchall()
    except sqlite3.Error as e:
        log.info("practice cards not readable: %s", e)
        return {}
    for mid, text, kind in rows:
        if mid in wanted:
            out.setdefault(mid, {})[T.flat(text or "")] = kind
    return out


def practices_ran(conn: sqlite3.Connection) -> bool:
    try:
        return conn.execute("SELECT 1 FROM runs WHERE stage='practices' AND status='done' "
                            "LIMIT 1").fetchone() is not None
    except sqlite3.Error:
        return False


# --------------------------------------------------------------------------- sections

def contributors(asker: str | None, msgs: Sequence[Msg]) -> tuple[Contributor, ...]:
    seen: dict[str, list] = {}
    for m in msgs:
        if m.who == asker:
            continue
        if m.who not in seen:
            seen[m.who] = [m, 0]
        seen[m.who][1] += 1
    return tuple(Contributor(i, m.author, m.title, m.organisation, m.country, n)
                 for i, (m, n) in enumerate(seen.values(), 1))


def build_themes(ws, cands: list[tuple[Msg, T.Sentence]], X: np.ndarray,
                 bonus: np.ndarray) -> tuple[Theme, ...]:
    if not cands:
        return ()
    k = T.n_clusters(len(cands))
    assign = T.cluster(X, k)
    k = int(assign.max()) + 1
    names = T.labels([s.text for _, s in cands], assign, k)
    out = []
    for c in range(k):
        idx = np.flatnonzero(assign == c)
        if len(idx) < 2 and k > 1:
            continue
        sub = X[idx]
        cen = sub.mean(0)
        cen = cen / (np.linalg.norm(cen) or 1.0)
        rel = sub @ cen + bonus[idx]
        n_points = int(min(6, max(2, round(len(idx) / 3))))
        chosen = T.mmr(sub, rel, n_points, lam=0.7)
        pts = tuple(cands[idx[j]][0].point(cands[idx[j]][1].text) for j in chosen)
        authors = len({cands[i][0].who for i in idx})
        out.append((authors, len(idx), names[c], pts))
    out.sort(key=lambda t: (-t[0], -t[1]))
    return tuple(Theme(f"t{i}", label, pts, size) for i, (_, size, label, pts) in enumerate(out, 1))


def build_experiences(cands: list[tuple[Msg, T.Sentence]], X: np.ndarray, rel: np.ndarray,
                      spacy_places: bool = True) -> tuple[Experience, ...]:
    by_msg: dict[str, list[int]] = {}
    for i, (m, _) in enumerate(cands):
        by_msg.setdefault(m.message_id, []).append(i)
    found: dict[str, list[tuple[float, Point]]] = {}
    for mid, idx in by_msg.items():
        m = cands[idx[0]][0]
        named = {i: R.places(cands[i][1].text) for i in idx}
        places = list(dict.fromkeys(p for i in idx for p in named[i]))
        if not places and m.country:
            places = [m.country]
        for place in places[:3]:
            hits = [i for i in idx if place in named[i]] or idx
            best = max(hits, key=lambda i: rel[i])
            found.setdefault(place, []).append((float(rel[best]), m.point(cands[best][1].text)))
    out = []
    for place, pts in found.items():
        pts.sort(key=lambda t: -t[0])
        out.append(Experience(place, tuple(p for _, p in pts[:3])))
    out.sort(key=lambda e: (-len(e.points), e.place))
    return tuple(out)


def related_discussions(ws, thread_ids: Sequence[str], notes: list[str],
                        k: int = 5) -> tuple[Related, ...]:
    try:
        from miner.stages.search import more_like_this
    except ImportError as e:
        notes.append(f"Related past discussions: the search stage is not available ({e}).")
        return ()
    try:
        hits = more_like_this(ws, thread_id=thread_ids[0], k=k + len(thread_ids))
    except Exception as e:  # noqa: BLE001 - the reply is still useful without this section
        notes.append(f"Related past discussions could not be searched ({type(e).__name__}: "
                     f"{str(e)[:120]}); run 'miner analyze embeddings' first.")
        return ()
    own = set(thread_ids)
    out = [Related(h.thread_id or "", clean_subject(h.subject), h.date,
                   round(float(h.score), 4), h.message_id)
           for h in hits if h.thread_id not in own]
    return tuple(out[:k])


def summary_sentences(msgs: Sequence[Msg], X: np.ndarray, cands: list[tuple[Msg, T.Sentence]],
                      target_words: int) -> list[tuple[Msg, T.Sentence]]:
    """An extractive summary: central sentences (MMR), lead of the discussion favoured, shown
    in discussion order."""
    if not cands:
        return []
    cen = X.mean(0)
    cen = cen / (np.linalg.norm(cen) or 1.0)
    rel = X @ cen
    pos = np.array([0.12 / (1 + s.index) if s.msg_index == 0 else 0.04 / (1 + s.index)
                    for _, s in cands])
    chosen = T.mmr(X, rel + pos, len(cands), lam=0.75)
    out, words = [], 0
    for i in chosen:
        out.append(i)
        words += len(cands[i][1].text.split())
        if words >= target_words:
            break
    out.sort(key=lambda i: (cands[i][1].msg_index, cands[i][1].index))
    return [cands[i] for i in out]


def consolidate(ws, thread_ids: Sequence[str], *, related: bool = True
                ) -> tuple[ConsolidatedReply, list[Point], dict[str, str]]:
    """The draft reply, the points of its summary text, and each message's new text."""
    conn = ws.db
    msgs = load_messages(conn, thread_ids)
    if not msgs:
        raise NotFoundError(f"thread(s) {', '.join(thread_ids)} have no messages")
    notes: list[str] = []
    first = msgs[0]
    asker = first.who
    query = Query(first.message_id, first.author, first.organisation, first.country, first.date,
                  clean_subject(first.subject), clean_text(first.text), first.permalink)
    responses = msgs[1:]
    pk = practice_kinds(conn, [m.message_id for m in msgs])
    if not pk and not practices_ran(conn):
        notes.append("The practices stage has not run: points are chosen by centrality and "
                     "word cues only.")

    # candidate sentences
    all_c: list[tuple[Msg, T.Sentence]] = []
    for mi, m in enumerate(msgs):
        for s in T.sentences(m.message_id, m.text, mi):
            if T.is_content(s.text):
                all_c.append((m, s))
    X_all = T.vectors(ws, [s.text for _, s in all_c], notes) if all_c else np.zeros((0, 1))
    resp_idx = [i for i, (m, s) in enumerate(all_c) if m.who != asker]
    cands = [all_c[i] for i in resp_idx]
    X = X_all[resp_idx] if resp_idx else np.zeros((0, X_all.shape[1] if X_all.ndim == 2 else 1))
    bonus = np.array([(0.08 if pk.get(m.message_id, {}).get(s.text, "none") != "none" else 0.0)
                      + (0.04 if _CUES.search(s.text) else 0.0)
                      - (0.10 if s.text.rstrip().endswith("?") else 0.0) for m, s in cands])
    themes = build_themes(ws, cands, X, bonus)
    if len(cands):
        cen = X.mean(0)
        cen = cen / (np.linalg.norm(cen) or 1.0)
        rel = X @ cen + bonus
    else:
        rel = np.zeros(0)
    experiences = build_experiences(cands, X, rel)
    res = R.find_resources([(m.message_id, m.author, m.text) for m in responses if m.who != asker],
                           _per_message(conn, "links", "url", responses),
                           _per_message(conn, "attachments", "filename", responses))
    rel_threads = related_discussions(ws, thread_ids, notes) if related else ()
    total = sum(len(m.text.split()) for m in msgs)
    target = int(min(250, max(60, 0.25 * total)))
    summ = summary_sentences(msgs, X_all, all_c, target)
    summary_text = " ".join(s.text for _, s in summ)
    reply = ConsolidatedReply(
        title=f"Consolidated reply: {query.subject}" if query.subject else "Consolidated reply",
        thread_ids=tuple(thread_ids), query=query,
        contributors=contributors(asker, responses), themes=themes, experiences=experiences,
        resources=res, related=rel_threads,
        responses=tuple(Response(m.message_id, m.author, m.organisation, m.country, m.date,
                                 clean_text(m.text), m.permalink) for m in responses),
        summary_text=summary_text, notes=tuple(notes))
    return reply, [m.point(s.text) for m, s in summ], {m.message_id: m.text for m in msgs}


def _per_message(conn, table: str, col: str, msgs: Sequence[Msg]) -> dict[str, list[str]]:
    by_key = {m.key: m.message_id for m in msgs}
    out: dict[str, list[str]] = {}
    keys = list(by_key)
    for i in range(0, len(keys), 500):
        part = keys[i:i + 500]
        for key, v in conn.execute(
                f"SELECT key, {col} FROM {table} WHERE key IN ({','.join('?' * len(part))})", part):
            out.setdefault(by_key[key], []).append(v)
    return out
