#!/usr/bin/env python3
"""Scale: a gen_mbox workspace of 10k, 100k or 1M messages, built end to end with the FAST
STATIC MODEL (model2vec distilled from MiniLM), measured phase by phase.

Each phase runs in a fresh child process (``benchmarks._util.measure_child``):

* ingest: ``Workspace.ingest`` of the mbox (decode, clean, dedup, store, FTS5, threads, people);
  wall and CPU seconds (the worker processes included), the main process's peak RSS (target
  <= 300 MB) and the peak of the whole process tree's summed PSS (workers included);
* size: the database file, the vector files, and per table (``dbstat``, indexes counted with
  their table, ``messages_fts*`` together);
* embeddings: ``run_stages(ws, ["embeddings"])`` with the static model; then MiniLM's rate on
  1,000 messages sampled evenly from the same workspace, and the time the whole workspace would
  take with MiniLM at that rate;
* search: 200 queries (half subjects, half 2-8-word fragments of message text), hybrid p50/p95
  (target p95 <= 200 ms at 1M), semantic and keyword-only p95 as the references; exact vector
  search up to ``ann_threshold`` vectors, hnswlib above (the row says which, and the index build
  time).

Usage: python benchmarks/bench_scale.py [--n 10000,100000,1000000] [--quick] [--json FILE]
       [--reuse]   (keep an existing workspace: skip ingest and embeddings, measure search again)
       [--report-only]   (print the figures saved by earlier runs, measure nothing)
       [--fts-only]   (on a built workspace, time only the FTS5 rebuild)
       [--report-only --markdown]   (the saved figures of every size as one Markdown table)
Workspaces are kept under $MINER_BENCH_CACHE/scale-N (default /tmp/miner-bench).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._util import CACHE, PEAK_RSS, gen_mbox, measure_child, print_table  # noqa: E402

INGEST = PEAK_RSS + """
import json, sys, time
from miner.workspace import Workspace
ws = Workspace.open(sys.argv[2], create=True, overrides={"mode": "fast"})
ws.config.save(ws.path)  # the workspace remembers it is a fast-mode (static model) one
seen = [0, time.perf_counter()]
def tick(event, n):
    if event == "item":
        seen[0] += n
        if seen[0] % int(sys.argv[3]) == 0:
            el = time.perf_counter() - seen[1]
            print(f"  ingest: {seen[0]:,} messages in {el:.0f}s ({seen[0] / el:,.0f}/s)",
                  file=sys.stderr, flush=True)
    elif event.startswith("phase"):
        print(f"  ingest: {event} after {time.perf_counter() - seen[1]:.0f}s", file=sys.stderr,
              flush=True)
        if event == "phase:threads":  # the post-ingest phase (people, threads, quotes) starts
            post[:] = [time.perf_counter(), time.process_time(), _peak()]
post = []
t0 = time.perf_counter()
r = ws.ingest([sys.argv[1]], progress=tick)
wall = time.perf_counter() - t0
# the post phase runs in this process alone (the workers are done): its CPU is ours
post_s = time.perf_counter() - post[0] if post else None
post_cpu = time.process_time() - post[1] if post else None
print(json.dumps({"seen": r.messages_seen, "added": r.added, "quarantined": r.quarantined,
                  "duplicates": r.duplicates, "people": r.people, "threads": r.threads,
                  "seconds": wall, "post_s": post_s, "post_cpu_s": post_cpu,
                  "rss_before_post_mb": post[2] if post else None, "peak_rss_mb": _peak()}))
"""

EMBED = PEAK_RSS + """
import json, sys, time
from miner.workspace import Workspace
from miner.pipeline import run_stages
from miner.stages.embeddings import get_embedder
ws = Workspace.open(sys.argv[1], overrides={"mode": "fast", "embedding_model": "static"})
t0 = time.perf_counter()
emb = get_embedder(ws)
load = time.perf_counter() - t0
last = [0.0]
def tick(stage, done, total):
    if time.perf_counter() - last[0] > 30:
        last[0] = time.perf_counter()
        print(f"  embeddings: {done:,}/{total:,} texts", file=sys.stderr, flush=True)
t0, c0 = time.perf_counter(), time.process_time()
rep = run_stages(ws, ["embeddings"], progress=tick)["stages"]["embeddings"]
print(json.dumps({"model": emb.name, "dim": emb.dim, "load_s": load,
                  "seconds": time.perf_counter() - t0, "stage_cpu_s": time.process_time() - c0,
                  "report": rep, "peak_rss_mb": _peak()}))
"""

MINILM_SAMPLE = PEAK_RSS + """
import json, sys, time
from miner.workspace import Workspace
from miner.stages.embeddings import chunk_message, get_embedder
ws = Workspace.open(sys.argv[1], readonly=True)
n = int(sys.argv[2])
total = ws.db.execute("SELECT count(*) FROM messages").fetchone()[0]
step = max(1, total // n)
rows = ws.db.execute("SELECT subject, text FROM messages WHERE id % ? = 0 LIMIT ?",
                     (step, n)).fetchall()
out = {"messages": len(rows)}
for name in ("static", "minilm"):
    t0 = time.perf_counter()
    emb = get_embedder(ws, model=name)
    load = time.perf_counter() - t0
    mx = int(getattr(emb, "max_seq_length", 256))
    texts = [c[2] for s, t in rows for c in chunk_message(s or "", t or "", mx)]
    emb.encode(texts[:32], batch_size=64)  # warm up
    t0, c0 = time.perf_counter(), time.process_time()
    emb.encode(texts, batch_size=64)
    sec, cpu = time.perf_counter() - t0, time.process_time() - c0
    out[name] = {"load_s": load, "seconds": sec, "cpu_s": cpu, "chunks": len(texts),
                 "msgs_per_s": len(rows) / sec, "msgs_per_cpu_s": len(rows) / cpu,
                 "bf16": getattr(emb, "bf16", None)}
import torch
out["torch_threads"] = torch.get_num_threads()
out["peak_rss_mb"] = _peak()
print(json.dumps(out))
"""

SEARCH = PEAK_RSS + """
import json, random, sys, time
import numpy as np
from miner.workspace import Workspace
from miner.stages import search as S
from miner.stages.embeddings import embedder_for_search, load_matrix
ws = Workspace.open(sys.argv[1])
nq = int(sys.argv[2])
t0 = time.perf_counter()
emb = embedder_for_search(ws)
if emb is None:  # hybrid would silently fall back to keywords: that is not what we measure
    sys.exit("no message vectors for the configured model: run the embeddings stage first")
ids, X = load_matrix(ws, emb)
t_matrix = time.perf_counter() - t0
rss_matrix = _peak()
thr = int(ws.config["ann_threshold"])
index = "hnswlib" if len(ids) > thr else "exact"
t_build = None
if index == "hnswlib":
    print(f"  search: building/loading the hnswlib index of {len(ids):,} vectors",
          file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    S.ann_index(ws, emb, ids, X)
    t_build = time.perf_counter() - t0
rng = random.Random(7)
hi = ws.db.execute("SELECT max(id) FROM messages").fetchone()[0]
pick = rng.sample(range(1, hi + 1), min(hi, 3 * nq))
marks = ",".join("?" * len(pick))
rows = ws.db.execute(f"SELECT subject, text FROM messages WHERE id IN ({marks})", pick).fetchall()
subjects = [r[0] for r in rows if r[0]]
texts = [r[1] for r in rows if r[1] and len(r[1]) > 80]
queries = []
for i in range(nq + 5):
    if i % 2:
        queries.append(rng.choice(subjects))
    else:
        w = rng.choice(texts).split()
        a = rng.randrange(max(1, len(w) - 8))
        queries.append(" ".join(w[a:a + rng.randint(2, 8)]))
warm, queries = queries[:5], queries[5:]
for q in warm:
    S.search(ws, q, mode="hybrid")
def fts_only(q):
    expr = S.fts_expression(S.query_terms(q))
    if expr:
        ws.db.execute("SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? "
                      "ORDER BY rank LIMIT 10", (expr,)).fetchall()
times, cpu = {}, {}
for label, fn in (("hybrid", lambda q: S.search(ws, q, mode="hybrid")),
                  ("keyword", lambda q: S.search(ws, q, mode="keyword")),
                  ("semantic", lambda q: S.search(ws, q, mode="semantic")),
                  ("fts5", fts_only)):
    ts, cs = [], []
    for q in queries:
        t0, c0 = time.perf_counter(), time.process_time()
        fn(q)
        ts.append(1000 * (time.perf_counter() - t0))
        cs.append(1000 * (time.process_time() - c0))
    times[label], cpu[label] = ts, cs
def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]
print(json.dumps({"vectors": int(len(ids)), "dim": int(X.shape[1]) if len(ids) else 0,
                  "model": emb.name if emb else None, "index": index, "ann_threshold": thr,
                  "matrix_s": t_matrix, "rss_after_matrix_mb": rss_matrix, "ann_build_s": t_build,
                  "queries": len(queries),
                  "p50": {k: pct(v, 50) for k, v in times.items()},
                  "p95": {k: pct(v, 95) for k, v in times.items()},
                  "cpu_p50": {k: pct(v, 50) for k, v in cpu.items()},
                  "cpu_p95": {k: pct(v, 95) for k, v in cpu.items()},
                  "peak_rss_mb": _peak()}))
"""

FTS_REBUILD = PEAK_RSS + """
import json, sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], timeout=600)
conn.execute("PRAGMA cache_size = -65536")
t0 = time.perf_counter()
with conn:
    conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')")
rebuild = time.perf_counter() - t0
t0 = time.perf_counter()
with conn:
    conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('optimize')")
optimize = time.perf_counter() - t0
conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
print(json.dumps({"rebuild_s": rebuild, "optimize_s": optimize, "peak_rss_mb": _peak()}))
"""


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20 if path.exists() else 0.0


def db_sizes(db: Path) -> dict:
    """File sizes and bytes per table (indexes and FTS5 shadow tables folded into their owner)."""
    out = {"file_mb": db.stat().st_size / 2**20,
           "wal_mb": (db.with_name(db.name + "-wal").stat().st_size / 2**20
                      if db.with_name(db.name + "-wal").exists() else 0.0)}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        owner = dict(conn.execute("SELECT name, tbl_name FROM sqlite_master"))
        per: dict[str, float] = {}
        t0 = time.perf_counter()
        for name, size in conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
            t = owner.get(name, name)
            if t.startswith("messages_fts"):
                t = "messages_fts (FTS5)"
            per[t] = per.get(t, 0.0) + size / 2**20
        out["tables_mb"] = dict(sorted(per.items(), key=lambda kv: -kv[1]))
        out["dbstat_s"] = time.perf_counter() - t0
    except sqlite3.OperationalError as e:  # SQLite built without SQLITE_ENABLE_DBSTAT_VTAB
        out["tables_mb"] = {}
        out["dbstat_error"] = str(e)
    finally:
        conn.close()
    return out


def counts(db: Path) -> dict:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        q = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        return {"messages": q("SELECT count(*) FROM messages"),
                "threads": q("SELECT count(*) FROM threads"),
                "people": q("SELECT count(*) FROM people"),
                "quarantine": q("SELECT count(*) FROM quarantine"),
                "chunks": q("SELECT count(*) FROM message_chunks"),
                "embedding_rows": q("SELECT count(*) FROM embeddings"),
                "text_mb": q("SELECT coalesce(sum(length(text)), 0) FROM messages") / 2**20,
                "body_mb": q("SELECT coalesce(sum(length(body)), 0) FROM messages") / 2**20}
    finally:
        conn.close()


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.1f}] {msg}", flush=True)


def run_one(n: int, *, reuse: bool, queries: int, minilm_sample: int,
            fts_only: bool = False) -> dict:
    ws = CACHE / f"scale-{n}"
    saved = ws / "scale-results.json"
    res: dict = {"n": n}
    if (reuse or fts_only) and saved.exists():
        res = json.loads(saved.read_text())
        log(f"{n:,}: reusing {ws} (ingest figures from {res.get('when')})")
        if not fts_only:  # incremental: a no-op unless the model (or its name) changed
            emb = measure_child(EMBED, str(ws), stream=True)
            if emb["report"]["texts_encoded"]:
                log(f"{n:,}: re-embedded for {emb['model']} in {emb['wall']:.0f}s")
                res["embed"], res["counts"] = emb, counts(ws / "corpus.sqlite")
    else:
        part = CACHE / f"gen-{n}-42.mbox.part"
        if part.exists() and time.time() - part.stat().st_mtime < 300:
            sys.exit(f"{part} is still being written by another gen_mbox run; wait until it is "
                     f"renamed to {part.with_suffix('').name} (a second generator would write "
                     "into the same file)")
        t0 = time.perf_counter()
        mbox, _ = gen_mbox(n)
        res["mbox_mb"] = mbox.stat().st_size / 2**20
        res["gen_s"] = time.perf_counter() - t0
        shutil.rmtree(ws, ignore_errors=True)
        log(f"{n:,}: ingest {mbox} ({res['mbox_mb']:,.0f} MB) into {ws}")
        res["ingest"] = measure_child(INGEST, str(mbox), str(ws), str(max(5000, n // 40)),
                                      stream=True)
        res["size_after_ingest"] = {"file_mb": (ws / "corpus.sqlite").stat().st_size / 2**20}
        log(f"{n:,}: ingest done in {res['ingest']['wall']:.0f}s; embeddings (static model)")
        res["embed"] = measure_child(EMBED, str(ws), stream=True)
        log(f"{n:,}: embeddings done in {res['embed']['wall']:.0f}s; MiniLM sample")
        res["minilm"] = measure_child(MINILM_SAMPLE, str(ws), str(minilm_sample), stream=True)
        res["counts"] = counts(ws / "corpus.sqlite")
        res["when"] = time.strftime("%Y-%m-%d %H:%M")
        saved.write_text(json.dumps(res, indent=1))
    if fts_only:
        log(f"{n:,}: FTS5 rebuild + optimize")
        res["fts"] = measure_child(FTS_REBUILD, str(ws / "corpus.sqlite"))
        saved.write_text(json.dumps(res, indent=1))
        return res
    log(f"{n:,}: search ({queries} queries)")
    res["search"] = measure_child(SEARCH, str(ws), str(queries), stream=True)
    saved.write_text(json.dumps(res, indent=1))  # the FTS5 rebuild below takes long at 1M
    log(f"{n:,}: FTS5 rebuild + optimize (the cost of a tokenizer change or a repair)")
    res["fts"] = measure_child(FTS_REBUILD, str(ws / "corpus.sqlite"))
    res["size"] = db_sizes(ws / "corpus.sqlite")
    res["vectors_mb"] = dir_mb(ws / "vectors")
    saved.write_text(json.dumps(res, indent=1))
    return res


def rows_for(res: dict) -> list[dict]:
    n = res["n"]
    ing, emb, mini, se = res["ingest"], res["embed"], res["minilm"], res["search"]
    tag = f"{n // 1000}k" if n < 1_000_000 else f"{n // 1_000_000}M"
    rep = emb["report"]
    static_rate = n / emb["seconds"]
    minilm_rate = mini["minilm"]["msgs_per_s"]
    # CPU seconds of the encode alone; older result files only have the child's total (with
    # the model load), which makes the figure conservative
    minilm_cpu_rate = mini["minilm"].get("msgs_per_cpu_s") or mini["messages"] / mini["cpu_s"]
    idx = se["index"]
    row = lambda metric, value, unit, target=None, ok=None: {  # noqa: E731
        "benchmark": "scale", "metric": f"{tag} {metric}", "value": value, "unit": unit,
        "target": target, "pass": ok}
    big = n >= 1_000_000
    return [
        row("ingest wall", round(ing["wall"], 1), "s"),
        row("ingest CPU (all processes)", round(ing["cpu_s"], 1), "s"),
        row("ingest rate (wall, at this load)", round(ing["seen"] / ing["seconds"], 1), "msg/s"),
        row("ingest CPU per message", round(1000 * ing["cpu_s"] / ing["seen"], 2), "ms"),
        row("ingest rate, 2 free cores (CPU bound)", round(2 * ing["seen"] / ing["cpu_s"], 1),
            "msg/s"),
        row("ingest peak RSS (main process)", round(ing["peak_rss_mb"], 1), "MB", "<= 300",
            ing["peak_rss_mb"] <= 300),
        row("ingest peak PSS (all processes)", round(ing["tree_pss_peak_mb"], 1), "MB", "<= 300",
            ing["tree_pss_peak_mb"] <= 300 if ing["tree_pss_peak_mb"] else None),
        *([row("post-ingest phase wall (threads, people, quotes)", round(ing["post_s"], 1), "s"),
           row("post-ingest phase CPU", round(ing["post_cpu_s"], 1), "s"),
           row("main RSS before the post-ingest phase", round(ing["rss_before_post_mb"], 1),
               "MB")] if ing.get("post_s") is not None else []),
        row("database size", round(res["size"]["file_mb"] + res["size"]["wal_mb"], 1), "MB"),
        row("vector files (matrix + index)", round(res["vectors_mb"], 1), "MB"),
        row("embeddings wall (static model)", round(emb["seconds"], 1), "s"),
        row("embeddings static msgs/s (wall)", round(static_rate, 1), "msg/s"),
        row("embeddings static CPU", round(emb.get("stage_cpu_s", emb["cpu_s"]), 1), "s"),
        row("embeddings peak RSS (static)", round(emb["peak_rss_mb"], 1), "MB"),
        row(f"MiniLM msgs/s ({mini['messages']}-msg sample, this load)", round(minilm_rate, 2),
            "msg/s"),
        row("MiniLM msgs per CPU-second", round(minilm_cpu_rate, 2), "msg/s"),
        row("MiniLM time for all, at this load", round(n / minilm_rate / 3600, 1), "h"),
        row("MiniLM time for all, 2 free cores", round(n / (2 * minilm_cpu_rate) / 3600, 1), "h"),
        row("vector index used", f"{idx} ({rep['vectors']:,} vectors)", ""),
        row("hybrid search p50", round(se["p50"]["hybrid"], 2), "ms"),
        row("hybrid search p95", round(se["p95"]["hybrid"], 2), "ms",
            "<= 200" if big else None, se["p95"]["hybrid"] <= 200 if big else None),
        *([row("hybrid search CPU p95 (per query)", round(se["cpu_p95"]["hybrid"], 2), "ms")]
          if "cpu_p95" in se else []),
        row("semantic search p95", round(se["p95"]["semantic"], 2), "ms"),
        row("keyword-only search p95 (reference)", round(se["p95"]["keyword"], 2), "ms"),
        row("search process peak RSS", round(se["peak_rss_mb"], 1), "MB"),
    ] + ([row("FTS5 rebuild (wall)", round(res["fts"]["rebuild_s"], 1), "s"),
          row("FTS5 rebuild CPU", round(res["fts"]["cpu_s"], 1), "s")] if "fts" in res else [])


def report(res: dict) -> None:
    n, c = res["n"], res.get("counts", {})
    ing, emb, mini, se = res["ingest"], res["embed"], res["minilm"], res["search"]
    print(f"\n== scale {n:,} messages (gen_mbox, {res.get('mbox_mb', 0):,.0f} MB mbox), "
          "FAST STATIC MODEL (model2vec distilled from MiniLM) for the embeddings")
    print(f"  stored {c.get('messages', 0):,} messages, {c.get('quarantine', 0):,} quarantined, "
          f"{c.get('threads', 0):,} threads, {c.get('people', 0):,} people, "
          f"{c.get('chunks', 0):,} chunks, new text {c.get('text_mb', 0):,.0f} MB, "
          f"bodies {c.get('body_mb', 0):,.0f} MB")
    print(f"  ingest: {ing['wall']:.1f}s wall, {ing['cpu_s']:.1f}s CPU, main RSS "
          f"{ing['peak_rss_mb']:.0f} MB, tree PSS {ing['tree_pss_peak_mb']:.0f} MB "
          f"(load avg {ing['load_before']:.1f} -> {ing['load_after']:.1f})")
    if ing.get("post_s") is not None:
        print(f"  post-ingest phase (threads, people, quote links): {ing['post_s']:.1f}s wall, "
              f"{ing['post_cpu_s']:.1f}s CPU; main RSS {ing['rss_before_post_mb']:.0f} MB before it, "
              f"{ing['peak_rss_mb']:.0f} MB peak")
    sz = res["size"]
    print(f"  database {sz['file_mb']:,.1f} MB (+ WAL {sz['wal_mb']:,.1f} MB); after ingest "
          f"{res['size_after_ingest']['file_mb']:,.1f} MB; vector files {res['vectors_mb']:,.1f} MB")
    for t, mb in list(sz.get("tables_mb", {}).items())[:8]:
        print(f"    {t:28s} {mb:10,.1f} MB")
    if "dbstat_error" in sz:
        print(f"    (no per-table sizes: {sz['dbstat_error']})")
    print(f"  embeddings (static {emb['model']}, {emb['dim']}-d): {emb['seconds']:.1f}s, "
          f"{emb['report']['texts_encoded']:,} texts encoded, peak RSS {emb['peak_rss_mb']:.0f} MB")
    m = mini["minilm"]
    print(f"  MiniLM on {mini['messages']} sampled messages ({m['chunks']} chunks, bf16={m['bf16']}, "
          f"{mini['torch_threads']} torch threads): {m['msgs_per_s']:.1f} msgs/s (static on the "
          f"same sample {mini['static']['msgs_per_s']:,.0f}/s) -> {n / m['msgs_per_s'] / 3600:.1f} h "
          f"for all {n:,} at this load"
          + (f"; {m['msgs_per_cpu_s']:.1f} msgs per CPU-second -> "
             f"{n / (2 * m['msgs_per_cpu_s']) / 3600:.1f} h on 2 free cores"
             if "msgs_per_cpu_s" in m else ""))
    build = f", built/loaded in {se['ann_build_s']:.0f}s" if se["ann_build_s"] is not None else ""
    print(f"  search over {se['vectors']:,} vectors: index {se['index']} (ann_threshold "
          f"{se['ann_threshold']:,}{build}); matrix load {se['matrix_s']:.1f}s; "
          f"{se['queries']} queries (load avg {se['load_before']:.1f})")
    names = {"fts5": "fts5 (naive OR query, unbounded: reference only)"}
    for k in ("hybrid", "semantic", "keyword", "fts5"):
        c = (f"   CPU p50 {se['cpu_p50'][k]:7.2f}  p95 {se['cpu_p95'][k]:7.2f} ms"
             if "cpu_p95" in se else "")
        print(f"    {k:9s} p50 {se['p50'][k]:8.2f} ms   p95 {se['p95'][k]:8.2f} ms{c}  "
              f"{names.get(k, '')}")
    if "fts" in res:
        f = res["fts"]
        print(f"  FTS5 'rebuild' {f['rebuild_s']:.1f}s + 'optimize' {f['optimize_s']:.1f}s wall, "
              f"{f['cpu_s']:.1f}s CPU")


def markdown(results: list[dict]) -> str:
    """The rows of every size side by side, as a Markdown table (for docs/scaling.md)."""
    per = [{r["metric"].split(" ", 1)[1]: r for r in rows_for(res)} for res in results]
    head = ["metric"] + [f"{res['n']:,}" for res in results] + ["unit", "target"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for metric in dict.fromkeys(m for d in per for m in d):
        cells, unit, target = [], "", ""
        for d in per:
            r = d.get(metric)
            if r is None:
                cells.append("")
                continue
            v, unit, target = r["value"], r["unit"], r["target"] or target
            v = f"{v:,.2f}".rstrip("0").rstrip(".") if isinstance(v, float) else (
                f"{v:,}" if isinstance(v, int) else str(v))
            cells.append(v + ("" if r["pass"] is None else (" ✓" if r["pass"] else " ✗")))
        lines.append("| " + " | ".join([metric, *cells, unit, target]) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", default="10000,100000",
                    help="comma-separated sizes (default 10000,100000; add 1000000 for the big run)")
    ap.add_argument("--quick", action="store_true", help="10,000 messages only")
    ap.add_argument("--reuse", action="store_true", help="reuse built workspaces; re-measure search")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--minilm-sample", type=int, default=1000)
    ap.add_argument("--fts-only", action="store_true",
                    help="on a built workspace, time only the FTS5 rebuild")
    ap.add_argument("--report-only", action="store_true",
                    help="print the figures saved by earlier runs; measure nothing")
    ap.add_argument("--markdown", action="store_true",
                    help="with --report-only: one Markdown table, sizes side by side")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    if a.report_only and a.markdown:
        sizes = [10_000] if a.quick else [int(float(x)) for x in a.n.split(",")]
        print(markdown([json.loads((CACHE / f"scale-{n}" / "scale-results.json").read_text())
                        for n in sizes]))
        return 0
    sizes = [10_000] if a.quick else [int(float(x)) for x in a.n.split(",")]
    rows: list[dict] = []
    for n in sizes:
        if a.report_only:
            res = json.loads((CACHE / f"scale-{n}" / "scale-results.json").read_text())
        else:
            res = run_one(n, reuse=a.reuse, queries=a.queries, minilm_sample=a.minilm_sample,
                          fts_only=a.fts_only)
        report(res)
        rows += rows_for(res)
        if a.json:  # written after every size, so a long run leaves what it finished
            a.json.write_text(json.dumps(rows, indent=1))
    print()
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
