#!/usr/bin/env python3
"""Search quality and speed.

* ``semeval``: SemEval-2016 Task 3 subtask B (train-part2, 67 questions x 10 candidates). The
  related questions become messages (subject = RelQSubject, text = RelQBody, one list per
  original question); each original question's subject and body is searched, restricted to its
  10 candidates (``list_name``). MAP / MRR / P@1 of miner's hybrid next to three baselines from
  the same run: the search-engine order, BM25 alone (``mode="keyword"``) and MiniLM cosine alone
  (``mode="semantic"``). Dev = the first half of the questions (file order; fusion weights were
  tuned on it only), test = the second half.
* ``asked-before`` (static model; ``asked-before-minilm`` for MiniLM): r-sig-meta-analysis
  messages linking an earlier pipermail thread; search with the message's new text (links
  removed), restricted to messages dated before it, thread results; recall@10 of the linked
  thread for hybrid, keyword and semantic, on the tuning half (even-numbered cases in date
  order), the held-out half (odd) and all.
* ``latency``: a 100,000-message gen_mbox workspace (``--quick``: 10,000; static model), 60
  realistic queries (subjects, first sentences, 1-3 keywords sampled from the corpus) each run
  in every mode in turn; wall and CPU p50/p95 of keyword, semantic and hybrid (exact and
  hnswlib), hybrid --threads and filtered hybrid, next to FTS5 alone (the reference, same
  loop); the hnswlib recall@10 against exact; the load average.
* ``tune``: every fusion variant (RRF and convex, dense weight 0.1 to 0.9) on the SemEval dev
  half and on the asked-before tuning half, with the held-out halves printed next to them
  (``tune-asked``: asked-before only).

Usage: python benchmarks/bench_search.py [semeval] [asked-before] [asked-before-minilm] [latency]
       [tune] [--quick] [--json FILE]
Workspaces are cached under $MINER_BENCH_CACHE (default /tmp/miner-bench).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._util import CACHE, SHARED

SEMEVAL = SHARED / "corpora" / "semeval2016-task3-cqa-qatarliving" / \
    "SemEval2016-Task3-CQA-QL-train-part2.xml"
RSIG = SHARED / "corpora" / "r-sig-meta-analysis" / "raw"


def evalmetrics():
    spec = importlib.util.spec_from_file_location("evalmetrics", SHARED / "tools" / "evalmetrics.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# --------------------------------------------------------------------------- SemEval 3B

def load_semeval(path: Path = SEMEVAL) -> list[dict]:
    """Original questions with their candidates in search-engine order and the judgements."""
    root = ET.parse(path).getroot()
    by_id: dict[str, dict] = {}
    for q in root.iter("OrgQuestion"):  # one element per (question, candidate thread)
        qid = q.get("ORGQ_ID")
        entry = by_id.setdefault(qid, {"id": qid, "subject": (q.findtext("OrgQSubject") or "").strip(),
                                       "body": (q.findtext("OrgQBody") or "").strip(), "cands": []})
        cands = entry["cands"]
        for th in q.iter("Thread"):
            rq = th.find("RelQuestion")
            cands.append({
                "id": rq.get("RELQ_ID"), "order": int(rq.get("RELQ_RANKING_ORDER")),
                "subject": (rq.findtext("RelQSubject") or "").strip(),
                "body": (rq.findtext("RelQBody") or "").strip(),
                "date": rq.get("RELQ_DATE"), "user": rq.get("RELQ_USERNAME"),
                "relevant": rq.get("RELQ_RELEVANCE2ORGQ") in ("PerfectMatch", "Relevant")})
    for entry in by_id.values():
        entry["cands"].sort(key=lambda c: c["order"])
    return list(by_id.values())


def semeval_workspace(questions: list[dict], model: str = "minilm", path: Path | None = None):
    """A workspace holding the related questions as messages (one list per original question)."""
    from miner.pipeline import run_stages
    from miner.workspace import Workspace

    path = path or CACHE / f"semeval-{model}"
    ws = Workspace.open(path, create=True, overrides={"embedding_model": model})
    with ws.db:
        for q in questions:
            for c in q["cands"]:
                ws.db.execute(
                    "INSERT OR IGNORE INTO messages(key, message_id, list, subject, from_name, "
                    "date, text, thread_id) VALUES (?,?,?,?,?,?,?,?)",
                    (c["id"], c["id"], q["id"], c["subject"], c["user"] or "",
                     (c["date"] or "").replace(" ", "T") + "+00:00", c["body"], c["id"]))
    run_stages(ws, ["embeddings"])
    return ws


def semeval_rankings(ws, questions, modes=("hybrid", "keyword", "semantic")) -> dict:
    from miner.stages.search import search

    out: dict[str, dict] = {"engine": {q["id"]: [c["id"] for c in q["cands"]] for q in questions}}
    for mode in modes:
        out[mode] = {q["id"]: [h.message_id for h in search(
            ws, f"{q['subject']}\n\n{q['body']}", k=10, mode=mode, list_name=q["id"])]
            for q in questions}
    return out


def semeval_scores(questions, rankings, em) -> dict:
    qs = [{"id": q["id"], "candidates": [c["id"] for c in q["cands"]],
           "relevant": {c["id"]: c["relevant"] for c in q["cands"]}} for q in questions]
    half = len(qs) // 2
    parts = {"dev": qs[:half], "test": qs[half:], "all": qs}
    return {name: {p: em.rank_summary(sub, r) for p, sub in parts.items()}
            for name, r in rankings.items()}


def run_semeval(rows: list, quick: bool = False) -> dict:
    em = evalmetrics()
    questions = load_semeval()
    ws = semeval_workspace(questions)
    scores = semeval_scores(questions, semeval_rankings(ws, questions), em)
    label = {"engine": "search-engine order", "keyword": "BM25 alone",
             "semantic": "MiniLM cosine alone", "hybrid": "miner hybrid"}
    print(f"SemEval-2016 3B train-part2, {len(questions)} questions (dev = first half)")
    print(f"{'ranking':22s} " + " ".join(f"{p + ' ' + m:>10s}" for p in ("dev", "test", "all")
                                         for m in ("MAP", "MRR", "P@1")))
    for name in ("engine", "keyword", "semantic", "hybrid"):
        s = scores[name]
        print(f"{label[name]:22s} " + " ".join(f"{s[p][m]:10.2f}" for p in ("dev", "test", "all")
                                              for m in ("MAP", "MRR", "P@1")))
    best_base = max(scores[b]["all"]["MAP"] for b in ("engine", "keyword", "semantic"))
    for name in scores:
        for m in ("MAP", "MRR", "P@1"):
            rows.append({"benchmark": "search", "metric": f"semeval {label[name]} {m}",
                         "value": round(scores[name]["all"][m], 2), "unit": "%",
                         "target": f"> {best_base:.2f}" if (name, m) == ("hybrid", "MAP") else None,
                         "pass": scores[name]["all"][m] > best_base
                         if (name, m) == ("hybrid", "MAP") else None})
    ws.close()
    return scores


# --------------------------------------------------------------------------- asked before

_LINK = re.compile(r"(?:https?://)?[\w./-]*pipermail/r-sig-meta-analysis/(\d{4}-[A-Za-z]+)/(\d{6})\.html\S*")
_URL = re.compile(r"<?https?://\S+|\bwww\.\S+")
def pipermail_numbers(raw: Path = RSIG) -> list[str | None]:
    """Message-IDs in pipermail's global numbering (``NNNNNN.html`` is the NNNNNN-th message,
    0-based, of the whole archive in month order): the loader the asked-before tests use."""
    from tests.problems.asked_before import numbering

    return numbering(raw)[0]


def asked_before_cases(ws, raw: Path = RSIG) -> list[dict]:
    seq = pipermail_numbers(raw)
    thread_of = {r[0]: (r[1], r[2]) for r in ws.db.execute(
        "SELECT message_id, thread_id, date FROM messages")}
    cases = []
    for key, mid, tid, date, text in ws.db.execute(
            "SELECT key, message_id, thread_id, date, text FROM messages WHERE body LIKE "
            "'%pipermail/r-sig-meta-analysis/%' ORDER BY date"):
        targets = set()
        for m in _LINK.finditer(text):
            n = int(m.group(2))
            target = seq[n] if n < len(seq) else None
            if target and target in thread_of:
                targets.add(thread_of[target][0])
        targets.discard(tid)  # a link inside the same discussion is not "asked before"
        query = _URL.sub(" ", _LINK.sub(" ", text)).strip()
        if targets and query and date:
            cases.append({"message_id": mid, "date": date, "query": query, "targets": targets})
    return cases


def rsig_workspace(path: Path, model: str, embed: bool = True):
    """The r-sig-meta-analysis workspace at ``path`` (ingested on first use) with ``model``'s
    vectors; with ``embed=False``, None unless every message is embedded already."""
    from miner.pipeline import run_stages
    from miner.stages.embeddings import model_name
    from miner.workspace import Workspace

    fresh = not (path / "corpus.sqlite").exists()
    ws = Workspace.open(path, create=fresh, overrides={"embedding_model": model})
    if fresh:
        ws.ingest([str(RSIG)], list_name="r-sig-meta-analysis")
    if embed:
        run_stages(ws, ["embeddings"])
        return ws
    done = ws.db.execute("SELECT count(DISTINCT message_key) FROM message_chunks WHERE model = ?",
                         (model_name(ws),)).fetchone()[0]
    if done < ws.db.execute("SELECT count(*) FROM messages").fetchone()[0] - 20:
        ws.close()
        return None
    return ws


RSIG_PATHS = {"static": CACHE / "rsig-m2v", "minilm": CACHE / "rsig"}


def run_asked_before(rows: list, quick: bool = False, model: str = "static") -> dict:
    """Recall@10 of the linked earlier thread, per mode, on the tuning half (even-numbered cases
    in date order: fusion weights were tuned on it), the held-out half (odd) and all."""
    from miner.stages.search import search

    ws = rsig_workspace(RSIG_PATHS[model], model)
    cases = asked_before_cases(ws)
    if quick:
        cases = cases[::4]
    out = {}
    for mode in ("hybrid", "keyword", "semantic"):
        hit = [any(h.thread_id in c["targets"] for h in search(
            ws, c["query"], k=10, mode=mode, threads=True, before=c["date"])) for c in cases]
        parts = {"tune": hit[0::2], "held-out": hit[1::2], "all": hit}
        out[mode] = {p: 100.0 * sum(v) / max(1, len(v)) for p, v in parts.items()}
        rows.append({"benchmark": "search", "metric": f"asked-before recall@10 {model} {mode}",
                     "value": round(out[mode]["held-out"], 2), "unit": "%", "target": None,
                     "pass": None})
    best = max(out["keyword"]["held-out"], out["semantic"]["held-out"])
    rows[-3]["target"], rows[-3]["pass"] = f">= {best:.2f}", out["hybrid"]["held-out"] >= best
    print(f"r-sig-meta-analysis 'asked before' ({model}): {len(cases)} linking messages with a "
          "target thread in the workspace (links inside their own thread left out)")
    print(f"  recall@10   {'tune':>8s} {'held-out':>8s} {'all':>8s}")
    for mode, v in out.items():
        print(f"  {mode:9s} {v['tune']:8.2f} {v['held-out']:8.2f} {v['all']:8.2f}")
    ws.close()
    return out


# --------------------------------------------------------------------------- fusion tuning

def collect(ws, items: list[tuple[str, dict]], pool: int) -> list[dict]:
    """Both rankings of every ``(query, filters)`` (filters: ``list_name``, ``before``), computed
    once so that fusion variants can be scored without searching again."""
    from miner.stages import embeddings as E
    from miner.stages import search as S

    emb = E.embedder_for_search(ws)
    ids, X = E.load_matrix(ws, emb)
    out = []
    for query, f in items:
        where, args = S._filters(ws.db, f.get("list_name"), None, None, None, f.get("before"))
        allowed = S.allowed_ids(ws.db, where, args)
        kw = S.keyword_ranking(ws.db, S.query_terms(query), where, args, pool, allowed=allowed)
        q = S._query_vector(ws, query, emb)
        dense = S.dense_ranking(ws, q, ids, X, where, args, pool, emb, allowed=allowed)
        out.append({"kw": kw, "dense": dense, "cos": S._cos_lookup(ids, X, q)})
    return out


def fused(c: dict, method: str, weight: float) -> list[tuple[int, float]]:
    from miner.stages import search as S

    if method == "keyword":
        return c["kw"]
    if method == "semantic":
        return c["dense"]
    return S.fuse(c["dense"], c["kw"], c["cos"], weight, method=method)


VARIANTS = [("keyword", 0.0), ("semantic", 1.0)] + [
    (m, w / 10) for m in ("rrf", "convex") for w in range(1, 10)]


def semeval_variant_scores(ws, questions, em, collected, method, weight) -> dict:
    mid = dict(ws.db.execute("SELECT id, message_id FROM messages"))
    rk = {q["id"]: [mid[i] for i, _ in fused(c, method, weight)[:10]]
          for q, c in zip(questions, collected)}
    return semeval_scores(questions, {"x": rk}, em)["x"]


def asked_before_recalls(ws, cases, collected, method, weight) -> list[bool]:
    from miner.stages.search import group_threads

    tid = {i: t for i, t in ws.db.execute("SELECT id, thread_id FROM messages")}
    out = []
    for c, col in zip(cases, collected):
        top = [t for _, t, _ in group_threads(fused(col, method, weight), tid)[:10]]
        out.append(bool(set(top) & c["targets"]))
    return out


def run_tune(rows: list, quick: bool = False, semeval: bool = True) -> dict:
    """Fusion variants on the tuning halves (SemEval dev with MiniLM; even-numbered asked-before
    cases with each model whose rsig workspace exists), with the held-out halves next to them."""
    em = evalmetrics()
    res: dict = {}
    questions = load_semeval()
    ws = semeval_workspace(questions) if semeval else None
    col = [] if ws is None else collect(ws, [(f"{q['subject']}\n\n{q['body']}", {"list_name": q["id"]})
                       for q in questions], 100)
    if ws is not None:
        print("SemEval 3B MAP (MiniLM): variant  dev  test")
    for m, w in VARIANTS if ws is not None else []:
        s = semeval_variant_scores(ws, questions, em, col, m, w)
        res[("semeval", m, w)] = (s["dev"]["MAP"], s["test"]["MAP"])
        print(f"  {m:9s} {w:.1f}  {s['dev']['MAP']:6.2f} {s['test']['MAP']:6.2f}")
    if ws is not None:
        ws.close()
    for name, path in (("static", CACHE / "rsig-m2v"), ("minilm", CACHE / "rsig")):
        if not (path / "corpus.sqlite").exists():
            continue
        ws = rsig_workspace(path, name, embed=False)
        if ws is None:
            print(f"asked-before ({name}): {path} is not fully embedded; skipped")
            continue
        cases = asked_before_cases(ws)
        col = collect(ws, [(c["query"], {"before": c["date"]}) for c in cases], 300)
        print(f"asked-before recall@10 ({name}, {len(cases)} cases): variant  tune(even) "
              "held-out(odd)")
        for m, w in VARIANTS:
            hit = asked_before_recalls(ws, cases, col, m, w)
            t, h = hit[0::2], hit[1::2]
            res[("asked", name, m, w)] = (100 * sum(t) / len(t), 100 * sum(h) / len(h))
            print(f"  {m:9s} {w:.1f}  {100 * sum(t) / len(t):6.2f} {100 * sum(h) / len(h):6.2f}")
        ws.close()
    return res


# --------------------------------------------------------------------------- latency

def latency_workspace(n: int):
    """A workspace of ``n`` gen_mbox messages. The rows come from gen_mbox's answer key
    (subject, sender, date, thread root, the author's new text) inserted directly: ingest speed
    is bench_ingest's business, and this keeps the build to seconds. Static model (fast mode)."""
    from benchmarks._util import insert_answer_key
    from miner.pipeline import run_stages
    from miner.workspace import Workspace

    path = CACHE / f"search-{n}"
    ws = Workspace.open(path, create=True, overrides={"embedding_model": "static"})
    insert_answer_key(ws, n)
    t0 = time.perf_counter()
    rep = run_stages(ws, ["embeddings"])["stages"]["embeddings"]
    print(f"  embeddings (static): {rep['texts_encoded']} texts encoded in "
          f"{time.perf_counter() - t0:.1f}s")
    return ws


def _queries(ws, n: int, seed: int = 11) -> list[str]:
    """Realistic query texts sampled from the corpus (seed 11: not the seed-1 set the search
    code was profiled and tuned on): a third subjects (``Re:`` kept, as users paste them), a
    third first sentences of messages, a third short keyword queries (1 to 3 words of a
    message)."""
    import random

    rng = random.Random(seed)
    hi = ws.db.execute("SELECT max(id) FROM messages").fetchone()[0]
    pick = rng.sample(range(1, hi + 1), min(hi, 6 * n))
    marks = ",".join("?" * len(pick))
    got = ws.db.execute(f"SELECT subject, text FROM messages WHERE id IN ({marks})", pick).fetchall()
    subjects = [r[0] for r in got if r[0]]
    texts = [r[1] for r in got if r[1] and len(r[1].split()) >= 6]
    out = []
    for i in range(n):
        if i % 3 == 0:
            out.append(rng.choice(subjects))
        elif i % 3 == 1:
            first = re.split(r"(?<=[.!?])\s+|\n", rng.choice(texts).strip())[0]
            out.append(" ".join(first.split()[:30]))
        else:
            words = [w.strip(".,;:!?()\"'") for w in rng.choice(texts).split()]
            words = [w for w in words if len(w) > 3] or ["meeting"]
            a = rng.randrange(len(words))
            out.append(" ".join(words[a:a + rng.randint(1, 3)]))
    return out


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def run_latency(rows: list, quick: bool = False, n_queries: int = 60) -> dict:
    """p50/p95 (wall and CPU) per mode; each query is run in every mode in turn (the order
    rotating), so that the machine's load drifts over all modes alike. FTS5 alone (the plain OR
    query ranked by FTS5's bm25, top 10) is the reference measured in the same loop. Semantic
    and hybrid are timed with the exact product and with the hnswlib index, and hybrid with
    filters (dates, author) on the ANN path; then the ANN's recall@10 against exact."""
    import os

    from miner.stages import search as S
    from miner.stages.embeddings import embedder_for_search, load_matrix

    n = 10_000 if quick else 100_000
    ws = latency_workspace(n)
    emb = embedder_for_search(ws)
    ids, _X = load_matrix(ws, emb)
    thr = int(ws.config["ann_threshold"])
    t0, c0 = time.perf_counter(), time.process_time()
    ws.config.set("ann_threshold", min(thr, len(ids) - 1))  # ANN index also at --quick
    rep = S.update_index(ws, emb)
    print(f"  update_index: keyword {rep['keyword']['done']}, vectors {rep['vectors'].get('done')}"
          f" in {time.perf_counter() - t0:.1f}s wall, {time.process_time() - c0:.1f}s CPU "
          "(a build happens once; later runs load or extend the saved indexes)")
    queries = _queries(ws, n_queries)
    for q in _queries(ws, 10, seed=2):
        S.search(ws, q, mode="hybrid")  # warm caches (model, matrix, indexes, page cache)
    years = [r[0] for r in ws.db.execute(
        "SELECT substr(date, 1, 4) AS y FROM messages WHERE date IS NOT NULL GROUP BY y "
        "HAVING count(*) > ? ORDER BY y", (n // 50,))]
    mid = years[len(years) // 2]
    wide = (years[max(0, len(years) // 2 - 1)], years[min(len(years) - 1, len(years) // 2 + 1)])
    author = ws.db.execute("SELECT from_name FROM messages WHERE from_name != '' GROUP BY "
                           "from_name ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    share = {k: ws.db.execute(f"SELECT avg({c}) FROM messages", a).fetchone()[0] for k, c, a in (
        ("year", "substr(date, 1, 4) = ?", (mid,)),
        ("years", "substr(date, 1, 4) BETWEEN ? AND ?", wide),
        ("author", "from_name = ?", (author,)))}

    def fts_only(q):
        expr = S.fts_expression(S.query_terms(q))
        if expr:
            ws.db.execute("SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? "
                          "ORDER BY rank LIMIT 10", (expr,)).fetchall()

    def exact(fn):
        def run(q):
            ws.config.set("ann_threshold", 10**12)
            try:
                return fn(q)
            finally:
                ws.config.set("ann_threshold", min(thr, len(ids) - 1))
        return run

    labels = {
        "FTS5 only (reference)": fts_only,
        "keyword": lambda q: S.search(ws, q, mode="keyword"),
        "semantic, exact": exact(lambda q: S.search(ws, q, mode="semantic")),
        "semantic, hnswlib": lambda q: S.search(ws, q, mode="semantic"),
        "hybrid, exact": exact(lambda q: S.search(ws, q, mode="hybrid")),
        "hybrid": lambda q: S.search(ws, q, mode="hybrid"),
        "hybrid --threads": lambda q: S.search(ws, q, threads=True),
        f"hybrid, 1 year ({100 * share['year']:.0f} %)":
            lambda q: S.search(ws, q, since=mid, until=mid),
        f"hybrid, 3 years ({100 * share['years']:.0f} %)":
            lambda q: S.search(ws, q, since=wide[0], until=wide[1]),
        f"hybrid, author ({100 * share['author']:.0f} %)":
            lambda q: S.search(ws, q, author=author),
    }
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in labels}
    names = list(labels)
    load0 = os.getloadavg()[0]
    for j, q in enumerate(queries):
        for name in names[j % len(names):] + names[:j % len(names)]:
            w, c = time.perf_counter(), time.process_time()
            labels[name](q)
            times[name].append((1000 * (time.perf_counter() - w), 1000 * (time.process_time() - c)))
    load1 = os.getloadavg()[0]
    recall = []
    for q in queries:
        a = {h.message_id for h in exact(lambda q: S.search(ws, q, mode="semantic"))(q)}
        b = {h.message_id for h in S.search(ws, q, mode="semantic")}
        recall.append(len(a & b) / max(1, len(a)))
    ws.config.set("ann_threshold", thr)
    print(f"search latency on {n:,} messages, {len(queries)} queries (subjects, first sentences, "
          f"1-3 keywords), static model ({emb.name}), load average {load0:.1f} -> {load1:.1f} "
          f"on {os.cpu_count()} cores; ms")
    print(f"  {'':28s} {'wall p50':>9s} {'wall p95':>9s} {'cpu p50':>9s} {'cpu p95':>9s}")
    out = {}
    for label, ts in times.items():
        wall, cpu = [t[0] for t in ts], [t[1] for t in ts]
        out[label] = (_pct(wall, 50), _pct(wall, 95), _pct(cpu, 50), _pct(cpu, 95))
        print(f"  {label:28s} " + " ".join(f"{v:9.1f}" for v in out[label]))
        for stat, v in (("p50", out[label][0]), ("p95", out[label][1]),
                        ("cpu p50", out[label][2]), ("cpu p95", out[label][3])):
            target = "<= 50" if label == "hybrid" and stat in ("p95", "cpu p95") else None
            rows.append({"benchmark": "search", "metric": f"{label} {stat} ({n} msgs)",
                         "value": round(v, 2), "unit": "ms", "target": target,
                         "pass": v <= 50 if target else None})
    h = out["hybrid"]
    print(f"  target: hybrid p95 <= 50 ms: wall {h[1]:.1f} ({'pass' if h[1] <= 50 else 'FAIL'}), "
          f"CPU {h[3]:.1f} ({'pass' if h[3] <= 50 else 'FAIL'}); wall is inflated by the load "
          f"average ({load0:.1f} on {os.cpu_count()} cores), CPU is not")
    print(f"  hnswlib (M={S.ANN_M}, ef_construction={S.ANN_EF_CONSTRUCTION}, ef={S.ANN_EF}): "
          f"semantic recall@10 vs exact {100 * sum(recall) / len(recall):.1f} %")
    rows.append({"benchmark": "search", "metric": f"hnswlib recall@10 vs exact ({n} msgs)",
                 "value": round(100 * sum(recall) / len(recall), 1), "unit": "%", "target": None,
                 "pass": None})
    rows.append({"benchmark": "search", "metric": "load average during the latency loop",
                 "value": round(max(load0, load1), 1), "unit": "", "target": None, "pass": None})
    ws.close()
    return out


PARTS = {"semeval": run_semeval, "asked-before": run_asked_before,
         "asked-before-minilm": lambda rows, quick: run_asked_before(rows, quick, "minilm"),
         "latency": run_latency, "tune": run_tune,
         "tune-asked": lambda rows, quick: run_tune(rows, quick, semeval=False)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("parts", nargs="*", default=["semeval", "asked-before", "latency"],
                    help=", ".join(PARTS))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    rows: list[dict] = []
    for part in a.parts:
        PARTS[part](rows, a.quick)
    if a.json:
        a.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
