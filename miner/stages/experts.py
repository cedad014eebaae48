"""Who knows what: expertise from the answers people gave to other people's questions.

An *answer* is a message by someone other than the asker in a thread whose first message asks
something. Its weight grows with its reception (the asker thanks in the thread, replies to it,
later messages quote it) and its recency. A person's score sums, per thread, their best answer
weight (so breadth across threads counts, volume inside one thread does not), scaled by their
PageRank in the reply graph. Every score keeps its evidence: the message ids of the answers.

"Who could answer this?" (:func:`who_could_answer`) ranks people by how close a new question is
to the questions they answered (embeddings) and to their answers (BM25), times their prior.

    >>> list_experts(ws, limit=3)          # doctest: +SKIP
    >>> who_could_answer(ws, "How do I fit a three-level model?", before="2022-01-01")  # doctest: +SKIP
"""
from __future__ import annotations

import json
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

import numpy as np

from miner.stages.bm25 import BM25, tokenize

log = logging.getLogger(__name__)

REQUIRES: tuple[str, ...] = ()
WRITES = ("expert_answers", "expert_scores")

HALF_LIFE_DAYS = 730.0
# (embedding, BM25, prior, recency, activity) weights of the router, chosen by the best summed
# MRR on the pre-cut-off windows of two lists (meta 2021-22, teaching 2010-12); see ExpertRouter.
DEFAULT_WEIGHTS = (0.5, 1.0, 1.0, 0.0, 2.0)
_QUESTION = re.compile(
    r"\?|\b(?:does anyone|is there (?:a|any)|how (?:do|can|should|would) (?:i|we|one)|"
    r"any (?:idea|suggestion|advice|help)|i (?:am|'m) (?:wondering|looking for)|"
    r"could (?:someone|anyone)|can (?:someone|anyone)|help)\b", re.I)
_THANKS = re.compile(r"\b(?:thanks?|thank you|thx|many thanks|grateful|worked|works now|"
                     r"solved|that did it|that helped)\b", re.I)


def asks_question(text: str) -> bool:
    """A thread starter's text asks something (a question mark or a request for help)."""
    return bool(_QUESTION.search(text or ""))


@dataclass(frozen=True, slots=True)
class Answer:
    key: str
    message_id: str
    person_id: int
    thread_id: str
    date: str | None
    weight: float
    thanked: bool
    replies: int
    quoted: int


@dataclass(frozen=True, slots=True)
class Expert:
    person_id: int
    name: str
    score: float
    answers: int
    threads: int
    topics: tuple[int, ...] = ()
    evidence: tuple[str, ...] = ()
    organisation: str | None = None
    country: str | None = None

    def as_dict(self) -> dict:
        """Exactly the ``miner experts --json`` shape of ``../shared/CLI.md``."""
        return {"person_id": self.person_id, "name": self.name, "score": round(self.score, 4),
                "answers": self.answers, "threads": self.threads, "topics": list(self.topics),
                "evidence": list(self.evidence)}

# --------------------------------------------------------------------------- corpus view

@dataclass
class _Corpus:
    rows: dict[str, tuple] = field(default_factory=dict)  # key -> (mid, thread, parent, pid, date, text, subject)
    threads: dict[str, list[str]] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    quoted: Counter = field(default_factory=Counter)


def _load(ws, before: str | None = None) -> _Corpus:
    c = _Corpus()
    sql = ("SELECT key, message_id, thread_id, parent_key, person_id, date, text, subject, "
           "quotes_key FROM messages WHERE thread_id IS NOT NULL")
    args: list = []
    if before:
        sql += " AND date < ?"
        args.append(_iso(before))
    sql += " ORDER BY date IS NULL, date, id"
    threads: dict[str, list[str]] = defaultdict(list)
    for key, mid, tid, parent, pid, date, text, subject, qk in ws.db.execute(sql, args):
        c.rows[key] = (mid, tid, parent, pid, date, text or "", subject or "")
        threads[tid].append(key)
        if parent:
            c.children[parent].append(key)
        if qk:
            c.quoted[qk] += 1
    c.threads = dict(threads)
    return c


def _iso(d) -> str:
    if isinstance(d, datetime):
        return d.astimezone(timezone.utc).isoformat() if d.tzinfo else d.isoformat()
    return str(d)


def _days(a: str | None, b: str | None) -> float:
    if not a or not b:
        return 0.0
    try:
        da, db = datetime.fromisoformat(a), datetime.fromisoformat(b)
        if da.tzinfo is None:
            da = da.replace(tzinfo=timezone.utc)
        if db.tzinfo is None:
            db = db.replace(tzinfo=timezone.utc)
        return abs((db - da).total_seconds()) / 86400
    except ValueError:
        return 0.0


def find_answers(c: _Corpus, now: str | None = None) -> list[Answer]:
    """Answers to other people's questions, each weighted by reception and recency."""
    now = now or max((r[4] for r in c.rows.values() if r[4]), default=None)
    out = []
    for tid, keys in c.threads.items():
        root = keys[0]
        mid0, _, _, asker, _, text0, subj0 = c.rows[root]
        if asker is None or not asks_question(text0 + " " + subj0):
            continue
        # the latest date the asker thanked anyone in the thread (one pass: no pairs)
        last_thanks = max((c.rows[x][4] for x in keys if c.rows[x][3] == asker and c.rows[x][4]
                           and _THANKS.search(c.rows[x][5][:300])), default=None)
        for k in keys[1:]:
            mid, _, _, pid, date, text, _ = c.rows[k]
            if pid is None or pid == asker or len(text.strip()) < 20:
                continue
            kids = c.children.get(k, [])
            thanked = any(c.rows[x][3] == asker and _THANKS.search(c.rows[x][5][:400])
                          for x in kids) or bool(date and last_thanks and last_thanks > date)
            replies = sum(1 for x in kids if c.rows[x][3] != pid)
            quoted = c.quoted.get(k, 0)
            recency = 0.5 ** (_days(date, now) / HALF_LIFE_DAYS)
            w = recency * (1.0 + 0.5 * thanked + 0.25 * min(replies, 3) + 0.25 * min(quoted, 3))
            out.append(Answer(k, mid, pid, tid, date, w, bool(thanked), replies, quoted))
    return out


def reply_graph(ws, before: str | None = None, corpus: _Corpus | None = None):
    """A networkx ``DiGraph``: an edge replier -> person replied to, ``weight`` = replies;
    nodes carry ``name``. For the app's picture and for centrality (``corpus``: an already
    loaded view of the same messages, so they are read once)."""
    import networkx as nx

    c = corpus if corpus is not None else _load(ws, before)
    g = nx.DiGraph()
    names = dict(ws.db.execute("SELECT person_id, name FROM people"))
    for k, (_, _, parent, pid, _, _, _) in c.rows.items():
        if pid is None or not parent or parent not in c.rows:
            continue
        to = c.rows[parent][3]
        if to is None or to == pid:
            continue
        w = g.get_edge_data(pid, to, {}).get("weight", 0)
        g.add_edge(pid, to, weight=w + 1)
    for n in g.nodes:
        g.nodes[n]["name"] = names.get(n, str(n))
    return g


def _centrality(ws, before: str | None, corpus: _Corpus | None = None) -> dict[int, float]:
    import networkx as nx

    g = reply_graph(ws, before, corpus)
    if g.number_of_nodes() == 0:
        return {}
    # Answers flow from the expert to the asker: reverse so PageRank rewards those replied *by*
    # many well-connected people... no: rewards people whose replies reach many askers.
    pr = nx.pagerank(g.reverse(copy=False), weight="weight")
    top = max(pr.values()) or 1.0
    return {n: v / top for n, v in pr.items()}


def _topics_of(ws) -> dict[str, int]:
    try:
        return {k: t for k, t in ws.db.execute(
            "SELECT key, topic_id FROM message_topics WHERE topic_id >= 0")}
    except Exception:  # the topics stage has not run: topic fields stay empty
        return {}


def score_people(ws, before: str | None = None) -> tuple[dict[int, float], dict[int, list[Answer]]]:
    """Overall expertise per person (before ``before`` if given) and their answers."""
    c = _load(ws, before)
    answers = find_answers(c, now=_iso(before) if before else None)
    by_person: dict[int, list[Answer]] = defaultdict(list)
    for a in answers:
        by_person[a.person_id].append(a)
    cent = _centrality(ws, before, c)
    scores = {}
    for pid, ans in by_person.items():
        best: dict[str, float] = {}
        for a in ans:
            best[a.thread_id] = max(best.get(a.thread_id, 0.0), a.weight)
        scores[pid] = sum(best.values()) * (1.0 + cent.get(pid, 0.0))
    return scores, by_person


# --------------------------------------------------------------------------- the stage

def run(ws, progress: Callable[[int, int], None] | None = None) -> dict:
    """Recompute the answers and the scores (cheap: SQL and arithmetic, no model)."""
    tick = progress or (lambda done, total: None)
    scores, by_person = score_people(ws)
    topics = _topics_of(ws)
    total = len(by_person)
    with ws.db:
        ws.db.execute("DELETE FROM expert_answers")
        ws.db.execute("DELETE FROM expert_scores")
        for i, (pid, ans) in enumerate(by_person.items()):
            ws.db.executemany(
                "INSERT INTO expert_answers(key, message_id, person_id, thread_id, date, weight, "
                "thanked, replies, quoted, topic_id) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [(a.key, a.message_id, pid, a.thread_id, a.date, a.weight, int(a.thanked),
                  a.replies, a.quoted, topics.get(a.key)) for a in ans])
            ev = [a.message_id for a in sorted(ans, key=lambda a: -a.weight)]
            ws.db.execute("INSERT INTO expert_scores(person_id, topic_id, score, answers, threads, "
                          "evidence) VALUES (?,?,?,?,?,?)",
                          (pid, -1, scores[pid], len(ans), len({a.thread_id for a in ans}),
                           json.dumps(ev)))
            per_topic: dict[int, list[Answer]] = defaultdict(list)
            for a in ans:
                if topics.get(a.key) is not None:
                    per_topic[topics[a.key]].append(a)
            for t, ta in per_topic.items():
                ws.db.execute(
                    "INSERT INTO expert_scores(person_id, topic_id, score, answers, threads, "
                    "evidence) VALUES (?,?,?,?,?,?)",
                    (pid, t, sum(a.weight for a in ta), len(ta), len({a.thread_id for a in ta}),
                     json.dumps([a.message_id for a in sorted(ta, key=lambda a: -a.weight)])))
            if i % 50 == 0:
                tick(i, total)
    tick(total, total)
    return {"people": len(by_person), "answers": sum(len(a) for a in by_person.values())}


def list_experts(ws, topic: int | None = None, limit: int = 20, *,
                 before: str | None = None) -> list[Expert]:
    """People ranked by expertise (overall, or on ``topic``), with their evidence. With
    ``before`` (a date), scored afresh from the messages dated before it only (the stored scores
    use every message)."""
    if before is not None:
        return _experts_before(ws, topic, limit, before)
    t = -1 if topic is None else int(topic)
    rows = ws.db.execute(
        "SELECT s.person_id, p.name, s.score, s.answers, s.threads, s.evidence, p.organisation, "
        "p.country FROM expert_scores s LEFT JOIN people p ON p.person_id = s.person_id "
        "WHERE s.topic_id = ? ORDER BY s.score DESC LIMIT ?", (t, limit)).fetchall()
    out = []
    for pid, name, score, n, th, ev, org, country in rows:
        tops = tuple(r[0] for r in ws.db.execute(
            "SELECT topic_id FROM expert_scores WHERE person_id = ? AND topic_id >= 0 "
            "ORDER BY score DESC LIMIT 5", (pid,)))
        out.append(Expert(pid, name or str(pid), float(score), n, th, tops,
                          tuple(json.loads(ev or "[]")), org, country))
    return out


def _experts_before(ws, topic: int | None, limit: int, before: str) -> list[Expert]:
    """:func:`list_experts` computed from the messages dated before ``before``."""
    scores, by_person = score_people(ws, before)
    topic_of = _topics_of(ws)
    ranked = []
    for pid, ans in by_person.items():
        per_topic: dict[int, float] = defaultdict(float)
        for a in ans:
            if topic_of.get(a.key) is not None:
                per_topic[topic_of[a.key]] += a.weight
        if topic is None:
            chosen, score = ans, scores[pid]
        else:
            chosen = [a for a in ans if topic_of.get(a.key) == int(topic)]
            score = per_topic.get(int(topic), 0.0)
        if chosen:
            tops = tuple(t for t, _ in sorted(per_topic.items(), key=lambda x: -x[1])[:5])
            ranked.append((score, pid, chosen, tops))
    ranked.sort(key=lambda r: (-r[0], r[1]))
    out = []
    for score, pid, chosen, tops in ranked[:limit]:
        row = ws.db.execute("SELECT name, organisation, country FROM people WHERE person_id = ?",
                            (pid,)).fetchone() or (None, None, None)
        ev = tuple(a.message_id for a in sorted(chosen, key=lambda a: -a.weight))
        out.append(Expert(pid, row[0] or str(pid), float(score), len(chosen),
                          len({a.thread_id for a in chosen}), tops, ev, row[1], row[2]))
    return out


# --------------------------------------------------------------------------- routing

def _z(v: np.ndarray) -> np.ndarray:
    m = v.max() if len(v) else 0.0
    return v / m if m > 0 else v


class ExpertRouter:
    """"Who could answer this?" fitted once on the messages before a date, then asked many
    times (the evaluation routes hundreds of questions).

    Five signals per person, each scaled to [0, 1]: the cosine of the question to the questions
    they answered (mean of the best three), BM25 of the question against their past messages and
    the subjects of the threads they answered, their expertise prior (log of the answer score),
    how recently they wrote (posts decayed with ``recent_half_life`` days to the cut-off) and
    how much (log of their posts). ``weights`` combine them in that order; the defaults were tuned on the pre-cut-off period
    only (``benchmarks/bench_experts.py --tune``)."""

    def __init__(self, embedder=None,
                 weights: tuple[float, ...] = DEFAULT_WEIGHTS,
                 recent_half_life: float = 180.0):
        self.embedder = embedder
        self.weights = weights
        self.recent_half_life = recent_half_life

    def fit(self, ws, before=None) -> "ExpertRouter":
        from miner.stages.embeddings import embed_texts, get_embedder

        b = _iso(before) if before else None
        scores, by_person = score_people(ws, b)
        c = _load(ws, b)
        now = b or max((r[4] for r in c.rows.values() if r[4]), default=None)
        posts: dict[int, list[str]] = defaultdict(list)
        for k, r in c.rows.items():
            if r[3] is not None:
                posts[r[3]].append(k)
        # Everyone who wrote before the cut-off is a candidate: on small lists the next answerer
        # has often only asked so far. Answers carry the expertise; all posts carry activity.
        self.people_ = sorted(posts, key=lambda p: (-scores.get(p, 0.0), -len(posts[p]), p))
        self.bm25_ = BM25([tokenize(" ".join(
            [c.rows[k][5][:2000] for k in posts[p]]
            + [c.rows[c.threads[t][0]][6] for t in {a.thread_id for a in by_person.get(p, [])}]))
            for p in self.people_])
        self._ws = ws
        self.embedder_ = self.embedder or get_embedder(ws)
        qkeys = sorted({c.threads[a.thread_id][0] for p in self.people_
                        for a in by_person.get(p, [])})
        qtext = [(c.rows[q][6] + "\n" + c.rows[q][5])[:1000] for q in qkeys]
        Q = embed_texts(ws, qtext, embedder=self.embedder_)
        row = {q: i for i, q in enumerate(qkeys)}
        self.Q_ = Q
        self.rows_ = [np.array(sorted({row[c.threads[a.thread_id][0]]
                                       for a in by_person.get(p, [])}), dtype=int)
                      for p in self.people_]
        self.evidence_ = [[a.message_id for a in sorted(by_person.get(p, []),
                                                         key=lambda a: -a.weight)]
                          for p in self.people_]
        self.threads_ = [len({a.thread_id for a in by_person.get(p, [])}) for p in self.people_]
        self.prior_ = _z(np.log1p(np.asarray([scores.get(p, 0.0) for p in self.people_])))
        hl = self.recent_half_life
        self.recent_ = _z(np.log1p(np.asarray([sum(
            0.5 ** (_days(c.rows[k][4], now) / hl) for k in posts[p]) for p in self.people_])))
        self.activity_ = _z(np.log1p(np.asarray([len(posts[p]) for p in self.people_], float)))
        self.names_ = dict(ws.db.execute("SELECT person_id, name FROM people"))
        return self

    def components(self, text: str) -> np.ndarray:
        """``(people, 5)``: embedding, BM25, prior, recency and activity signals."""
        from miner.stages.embeddings import embed_texts

        bm = _z(np.asarray(self.bm25_.scores(tokenize(text))))
        qv = embed_texts(self._ws, [text[:1000]], embedder=self.embedder_, store=False)[0]
        sims = self.Q_ @ qv
        es = np.array([float(np.mean(np.sort(sims[r])[::-1][:3])) if len(r) else 0.0
                       for r in self.rows_])
        return np.column_stack([_z(np.clip(es, 0, None)), bm, self.prior_, self.recent_,
                                self.activity_])

    def rank(self, text: str, k: int = 10, exclude=()) -> list[Expert]:
        if not getattr(self, "people_", None) or not text.strip():
            return []
        total = self.components(text) @ np.asarray(self.weights, dtype=float)
        out = []
        for i in np.argsort(-total, kind="stable"):
            p = self.people_[i]
            if p in exclude:
                continue
            out.append(Expert(p, self.names_.get(p, str(p)), float(total[i]),
                              len(self.evidence_[i]), self.threads_[i], (),
                              tuple(self.evidence_[i][:5])))
            if len(out) >= k:
                break
        return out


def who_could_answer(ws, text: str, before=None, k: int = 10, *, embedder=None) -> list[Expert]:
    """People ranked for a new question ``text``: cosine of the question to the questions they
    answered (mean of the best three), BM25 of the question against their answers, and their
    expertise prior (log-scaled), each scaled to [0, 1] and summed. With ``before``, only
    messages dated before it are used."""
    return ExpertRouter(embedder=embedder).fit(ws, before).rank(text, k)
