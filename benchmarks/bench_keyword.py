#!/usr/bin/env python3
"""Building the keyword (BM25 posting-list) index: CPU, wall and peak memory.

Each build runs in a fresh process that opens the workspace database read-only (as the stage
does, with the workspace's connection settings) and writes the index into a scratch folder under
``$MINER_BENCH_CACHE/kw-bench-<n>``, so any workspace can be measured without being written to.
Peak memory is the child's ``ru_maxrss`` minus its RSS just before the build (after imports
and opening the database): the build's own cost, the figure the target bounds.

Rows: the streamed build of this tree (runs spilled to disk, merged by term ranges) next to
the in-memory build of ``--baseline-rev`` (same run, same database, ``--repeat`` builds of each
in alternating order): CPU and wall seconds (the lowest of the repeats), peak RSS over the
process (the highest), the CPU ratio, and whether both wrote the same index files byte for byte.
Then the incremental path: an index of all but the last ``--extend`` messages extended by them
(``update()``'s add path, index loaded from disk), CPU and peak RSS.

Databases: ``--db FILE``, else ``scale-<n>/corpus.sqlite`` in the cache (a gen_mbox archive
ingested by ``bench_scale.py``), else a workspace of ``n`` gen_mbox answer-key rows inserted
directly (``kw-rows-<n>``, built once, seconds).

Usage: python benchmarks/bench_keyword.py [--n 100000] [--db FILE] [--quick]
       [--baseline-rev REV] [--extend K] [--repeat R] [--json FILE]
The 1M workspace: ``--n 1000000 --db $MINER_BENCH_CACHE/scale-1000000/corpus.sqlite
--baseline-rev '' --repeat 1`` (the old build needs ~4 GB there).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._util import CACHE, measure_child, print_table, write_rows

BASELINE_REV = "a0c6a06"  # the last commit with the in-memory build (all postings at once)
MAX_EXTRA_MB = 300  # target: peak RSS of the build over the process, at 1M messages
CPU_RATIO = 1.05  # target: the streamed build's CPU over the baseline's (5 % for noise)

CHILD = r"""
import json, os, resource, sys, time
from pathlib import Path
db, out, impl, mode, cut = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
import numpy as np
from miner.store.db import connect
from miner.stages.search import postings as P
from miner.stages.search import postings_build as B
if impl:  # an earlier postings.py, self-contained
    import types
    mod = types.ModuleType("postings_baseline")
    sys.modules[mod.__name__] = mod
    exec(compile(open(impl).read(), impl, "exec"), mod.__dict__)
    update = mod.update
else:
    update = B.update
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
conn = connect(db, readonly=True)
top = conn.execute("SELECT max(id) FROM messages").fetchone()[0]
if mode == "base":  # an index of the messages up to ``cut``, saved as if built earlier
    out.mkdir(parents=True, exist_ok=True)
    seg, ids, lens = B.build_segment(conn.execute(
        "SELECT id, subject, text FROM messages WHERE id <= ? ORDER BY id", (cut,)))
    name = f"seg-{int(ids[0])}-{int(ids[-1])}-base"
    P._save_segment(out / name, seg)
    lengths = np.zeros(int(ids[-1]) + 1, dtype=np.float32)
    lengths[ids] = lens
    P.save(P.KeywordIndex([seg], lengths, len(ids), int(ids[-1]), "0:base"), out, [name])
    print(json.dumps({"messages": len(ids)}))
    sys.exit()
base = rss()
ru0 = resource.getrusage(resource.RUSAGE_SELF)
t0 = time.perf_counter()
idx, names, done = update(conn, out)
wall = time.perf_counter() - t0
ru1 = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"done": done, "messages": idx.count, "segments": len(names),
                  "postings": int(sum(len(s.docs) for s in idx.segments)),
                  "terms": int(sum(len(s.names) for s in idx.segments)),
                  "base_rss_mb": base, "peak_rss_mb": ru1.ru_maxrss / 1024,
                  "extra_mb": ru1.ru_maxrss / 1024 - base, "end_rss_mb": rss(),
                  "own_cpu_s": (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime),
                  "own_wall_s": wall}))
"""


def _database(n: int, db: Path | None) -> Path:
    if db is not None:
        return db
    scale = CACHE / f"scale-{n}" / "corpus.sqlite"
    if scale.exists():
        return scale
    path = CACHE / f"kw-rows-{n}"
    from miner.workspace import Workspace

    ws = Workspace.open(path, create=True)
    from benchmarks._util import insert_answer_key

    insert_answer_key(ws, n)
    ws.close()
    return ws.db_path


def _same_files(a: Path, b: Path) -> bool:
    fa = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    fb = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    if fa != fb:
        return False
    return all(subprocess.run(["cmp", "-s", str(a / f), str(b / f)]).returncode == 0 for f in fa)


def _run(db: Path, out: Path, impl: str = "", mode: str = "build", cut: int = 0) -> dict:
    return measure_child(CHILD, str(db), str(out), impl, mode, str(cut))


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=None, help="messages (default 100000; 10000 quick)")
    ap.add_argument("--db", type=Path, default=None, help="workspace database to read")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--baseline-rev", default=BASELINE_REV,
                    help="git revision whose postings.py is the baseline ('' for none)")
    ap.add_argument("--extend", type=int, default=1000,
                    help="messages added to an existing index in the incremental row (0: skip)")
    ap.add_argument("--repeat", type=int, default=None,
                    help="builds of each, alternating (default 2; 1 with --quick); the lowest "
                         "CPU and wall and the highest peak are reported")
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args(argv)
    n = a.n or (10_000 if a.quick else 100_000)
    a.repeat = max(1, a.repeat or (1 if a.quick else 2))
    db = _database(n, a.db)
    work = CACHE / f"kw-bench-{n}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    print(f"keyword index build on {db}; load average {os.getloadavg()[0]:.2f}; baseline: the "
          f"in-memory build of {a.baseline_rev or '(none)'}")
    impls = [("streamed", "")]
    if a.baseline_rev:
        src = subprocess.run(["git", "show", f"{a.baseline_rev}:miner/stages/search/postings.py"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
        (work / "postings_baseline.py").write_text(src)
        impls.append(("baseline", str(work / "postings_baseline.py")))
    runs: dict[str, list[dict]] = {label: [] for label, _ in impls}
    print(f"{'build':24s} {'messages':>9s} {'CPU s':>8s} {'(wall)':>9s} {'extra MB':>9s} "
          f"{'peak MB':>8s} {'load':>6s}")
    for i in range(a.repeat):  # alternating order: a busy spell hurts both alike
        for label, impl in (impls if i % 2 == 0 else impls[::-1]):
            r = _run(db, work / label, impl)
            runs[label].append(r)
            wall = f"({r['own_wall_s']:.1f})"
            print(f"{label:24s} {r['messages']:9,d} {r['own_cpu_s']:8.1f} {wall:>9s} "
                  f"{r['extra_mb']:9.0f} {r['peak_rss_mb']:8.0f} {r['load_after']:6.2f}")
            if i < a.repeat - 1:
                shutil.rmtree(work / label)
    # per implementation: the least disturbed run's CPU and wall, the highest peak
    res = {label: {**rs[0], "own_cpu_s": min(r["own_cpu_s"] for r in rs),
                   "own_wall_s": min(r["own_wall_s"] for r in rs),
                   "extra_mb": max(r["extra_mb"] for r in rs)} for label, rs in runs.items()}
    new = res["streamed"]
    m = new["messages"]
    print(f"  {m:,} messages, {new['terms']:,} terms, {new['postings']:,} postings")
    tag = f"n={m}"
    rows = [
        {"metric": f"streamed build CPU {tag}", "value": round(new["own_cpu_s"], 2), "unit": "s"},
        {"metric": f"streamed build wall {tag}", "value": round(new["own_wall_s"], 2), "unit": "s"},
        # the bound is for 1M messages (run with --n 1000000 --db ...); it grows with the
        # distinct terms (~130 B each), 12 B per message, plus one run and one merge pass
        {"metric": f"streamed peak RSS over process {tag}",
         "value": round(new["extra_mb"], 1), "unit": "MB", "target": f"<= {MAX_EXTRA_MB}",
         "pass": new["extra_mb"] <= MAX_EXTRA_MB},
        {"metric": f"streamed build terms {tag}", "value": new["terms"], "unit": ""},
        {"metric": f"streamed build postings {tag}", "value": new["postings"], "unit": ""},
    ]
    if len(impls) > 1:
        old = res["baseline"]
        ratio = new["own_cpu_s"] / old["own_cpu_s"]
        rows += [
            {"metric": f"baseline build CPU {tag}", "value": round(old["own_cpu_s"], 2), "unit": "s"},
            {"metric": f"baseline build wall {tag}", "value": round(old["own_wall_s"], 2), "unit": "s"},
            {"metric": f"baseline peak RSS over process {tag}",
             "value": round(old["extra_mb"], 1), "unit": "MB"},
            {"metric": f"streamed / baseline build CPU {tag}", "value": round(ratio, 3), "unit": "x",
             "target": f"<= {CPU_RATIO}", "pass": ratio <= CPU_RATIO},
        ]
        same = _same_files(work / "streamed", work / "baseline")
        rows.append({"metric": f"index files identical to baseline {tag}",
                     "value": "yes" if same else "NO", "unit": "", "target": "yes", "pass": same})
    if a.extend:
        import sqlite3

        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
            cut = c.execute("SELECT id FROM messages ORDER BY id DESC LIMIT 1 OFFSET ?",
                            (a.extend,)).fetchone()[0]
        base = work / "extend-base"
        _run(db, base, mode="base", cut=cut)  # untimed
        for label, impl in impls:
            folder = work / f"extend-{label}"
            shutil.copytree(base, folder, copy_function=os.link)  # the update replaces files
            r = _run(db, folder, impl)
            print(f"extend by {a.extend:,} ({label}): {r['done']}, CPU {r['own_cpu_s']:.2f} s "
                  f"(wall {r['own_wall_s']:.2f}), peak RSS over process {r['extra_mb']:.0f} MB")
            rows.append({"metric": f"extend by {a.extend} CPU ({label}) {tag}",
                         "value": round(r["own_cpu_s"], 3), "unit": "s"})
            rows.append({"metric": f"extend by {a.extend} peak RSS ({label}) {tag}",
                         "value": round(r["extra_mb"], 1), "unit": "MB"})
    rows.append({"metric": "load average (end)", "value": round(os.getloadavg()[0], 2),
                 "unit": ""})
    for r in rows:
        r["benchmark"] = "keyword"
        r.setdefault("target", None)
        r.setdefault("pass", None)
    print()
    print_table(rows)
    write_rows(rows, ["--json", str(a.json)] if a.json else [])
    shutil.rmtree(work, ignore_errors=True)
    return 0 if all(r["pass"] for r in rows if r["pass"] is not None) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
