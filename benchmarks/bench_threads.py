#!/usr/bin/env python3
"""Speed (and synthetic accuracy) of ``miner.threads.thread_messages`` and
``miner.people.resolve_people`` on gen_mbox-shaped inputs built in memory.

The threading input mimics ../shared/tools/gen_mbox.py: threads of 1 + Exp(mean 4) messages
(at most 80), replies to the latest message 60 % of the time, 70 % of replies with both
In-Reply-To and References, 15 % References only, 12 % In-Reply-To only, 3 % only a "Re:"
subject; 0.3 % of messages without a Message-ID. Senders: a pool of people, each writing
under a plain, a pipermail "at" and an ETH-scrambled address form, plus some DMARC rewrites.

It also times the post-ingest phase (miner/ingest/post.py: people, threads, quote links) on a
stored workspace (default: the 100k scale workspace under /tmp/miner-bench, gen-100000-42.mbox),
each in a fresh process on a copy of its database: threading every message from scratch (the
one-shot path), then 100 new messages into the threaded corpus (the incremental path), and the
same with the whole ``miner`` package of an earlier commit (``--baseline-rev``, extracted with
``git archive``) for comparison, alternating the two ``--repeat`` times.

Usage: python benchmarks/bench_threads.py [--quick] [--json FILE] [--post-db FILE]
       [--baseline-rev REV] [--repeat N] [--work-dir DIR]
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from miner.people import resolve_people
from miner.threads import thread_messages
from miner.types import Sender, ThreadInput

WORDS = ["build", "compiler", "memory", "leak", "release", "schedule", "docs", "manual", "security", "patch", "package", "network", "socket", "database", "index", "governance", "vote", "unicode", "locale", "water", "budget"]


def synth_threads(n: int, seed: int = 7):
    rng = random.Random(seed)
    start = datetime(2015, 1, 1, tzinfo=UTC)
    span = 10 * 365 * 86400
    metas = []  # (thread root idx, parent idx or None, time, subject)
    while len(metas) < n:
        size = min(1 + int(rng.expovariate(1 / 4.0)), 80, n - len(metas))
        subj = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6))).capitalize()
        base = len(metas)
        t = start + timedelta(seconds=rng.uniform(0, span))
        for j in range(size):
            parent = None
            if j:
                t = t + timedelta(seconds=rng.expovariate(1 / 20000.0) + 60)
                parent = base + (j - 1 if rng.random() < 0.6 else rng.randrange(0, j))
            metas.append((base, parent, t, subj))
    order = sorted(range(n), key=lambda i: metas[i][2])
    mids = [f"{i:x}.{rng.getrandbits(32):08x}@host{i % 97}.example" for i in range(n)]
    chains: dict[int, list[str]] = {}
    items = [None] * n
    for i in order:
        root, parent, t, subj = metas[i]
        irt, refs = None, ()
        if parent is not None:
            chain = (chains.get(parent, []) + [mids[parent]])[-12:]
            chains[i] = chain
            r = rng.random()
            if r < 0.85:
                refs = tuple(f"<{x}>" for x in chain)
            if r < 0.7 or 0.85 <= r < 0.97:
                irt = f"<{mids[parent]}>"
        mid = None if rng.random() < 0.003 else f"<{mids[i]}>"
        items[i] = ThreadInput(f"k{i}", mid, irt, refs,
                               subj if parent is None else "Re: " + subj, t, "devel")
    truth = {f"k{i}": (None if m[1] is None else f"k{m[1]}", f"k{m[0]}") for i, m in enumerate(metas)}
    return [items[i] for i in order], truth


def _scramble(addr: str) -> str:
    local, _, dom = addr.partition("@")
    tr = str.maketrans({"a": "@", "s": "@", ".": "@", "l": "|", "i": "|", "f": "|"})
    return f"{local.translate(tr)} @end|ng |rom {dom.translate(tr)}"


def synth_senders(n: int, seed: int = 11) -> list[Sender]:
    rng = random.Random(seed)
    first = ["Alice", "Bob", "Carol", "David", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Priya", "Rahul", "Mei", "Lars"]
    last = ["Smith", "Jones", "Brown", "Taylor", "Patel", "Khan", "Lee", "Wang", "Kim", "Novak", "Larsen", "Rossi", "Silva"]
    out: list[Sender] = []
    k = 0
    while len(out) < n:
        name = f"{rng.choice(first)} {rng.choice(last)} {k:x}"
        addr = f"{name.split()[0].lower()}.{k}@uni{k % 500}.example.org"
        forms = [addr, addr.replace("@", " at "), _scramble(addr)]
        for f in forms[: rng.randint(1, 3)]:
            out.append(Sender(f"s{len(out)}", name, f, "devel", rng.randint(1, 20)))
        if rng.random() < 0.05:
            out.append(Sender(f"s{len(out)}", f"{name} via Devel", "devel@lists.example.org",
                              "devel"))
        k += 1
    return out[:n]


POST_DB = Path(os.environ.get("MINER_BENCH_CACHE", "/tmp/miner-bench")) / "scale-100000" / \
    "corpus.sqlite"
BASELINE_REV = "a0c6a06"  # the incremental post phase before the one-shot path (4e5f509's)

# Runs in a fresh interpreter: argv = db path, mode ("all" | "new100"), implementation source
# file or "" for the importable one. Prints CPU s, wall s and peak RSS of the post phase.
_POST_CHILD = r"""
import json, resource, sys, time, types
from miner.store.db import connect
from miner.config import Config
path, mode, impl = sys.argv[1:4]
import miner
print("miner from", miner.__file__, file=sys.stderr)
conn = connect(path)
with conn:
    if mode == "all":
        conn.execute("UPDATE messages SET thread_id=NULL, parent_key=NULL, person_id=NULL, "
                     "quotes_key=NULL")
        for t in ("threads", "people", "aliases", "thread_idx_ids", "thread_idx_subj",
                  "thread_idx_look"):
            conn.execute(f"DELETE FROM {t}")
        conn.execute("DELETE FROM merges WHERE forced=0")
        conn.execute("DELETE FROM settings WHERE name IN ('thread_index', 'people_upto', "
                     "'people_pending')")
if impl:
    mod = types.ModuleType("post_baseline")
    exec(compile(open(impl).read(), impl, "exec"), mod.__dict__)
else:
    import miner.ingest.post as mod
cfg = Config()
if mode == "new100":
    # bring the copy up to date first (a workspace from before migration 010 is threaded
    # again once), untimed
    mod.rebuild_people(conn, cfg)
    mod.rebuild_threads(conn, cfg)
    conn.commit()
with conn:
    if mode == "new100":  # the last 100 messages arrive now: forget their thread, person and
        # alias counts
        last = [r[0] for r in conn.execute("SELECT id FROM messages ORDER BY id DESC LIMIT 100")]
        q = ",".join("?" * len(last))
        for n, e, l, c in conn.execute(
                "SELECT from_name, from_email, coalesce(list, ''), count(*) FROM messages "
                f"WHERE id IN ({q}) GROUP BY 1, 2, 3", last).fetchall():
            conn.execute("UPDATE aliases SET messages=messages-? WHERE name=? AND email=? "
                         "AND list=?", (c, n, e, l))
        conn.execute(f"UPDATE messages SET thread_id=NULL, parent_key=NULL, person_id=NULL, "
                     f"quotes_key=NULL WHERE id IN ({q})", last)
        # their senders are counted again (the mark of miner.ingest.post.rebuild_people)
        conn.execute("UPDATE settings SET value=? WHERE name='people_upto'", (min(last) - 1,))
def hwm():  # peak RSS since the last reset (Linux), else since start
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
rss0 = hwm()
try:  # reset the peak so that the untimed set-up above does not count
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
except OSError:
    pass
def kids():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
t0, c0, k0 = time.perf_counter(), time.process_time(), kids()
people = mod.rebuild_people(conn, cfg)
threads = mod.rebuild_threads(conn, cfg)
conn.commit()
print(json.dumps({"cpu": time.process_time() - c0, "wall": time.perf_counter() - t0,
                  "cpu_workers": kids() - k0,
                  "rss_workers": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                  "rss": hwm(),
                  "rss_before": rss0, "people": people, "threads": threads}))
"""


def _post_child(db: Path, mode: str, src: str, work: Path) -> dict:
    """One post-phase run on a fresh copy of ``db``, importing ``miner`` from ``src`` ('' for
    the importable one)."""
    shutil.copyfile(db, work)
    for ext in ("-wal", "-shm"):
        Path(str(work) + ext).unlink(missing_ok=True)
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    p = subprocess.run([sys.executable, "-c", _POST_CHILD, str(work), mode, ""],
                       capture_output=True, text=True, cwd=src or ROOT, check=False, env=env)
    if p.returncode != 0:
        raise RuntimeError(f"post-phase child failed: {p.stderr[-2000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def _extract(rev: str, work_dir: Path) -> str:
    """The ``miner`` package (and its data in ``models/``) of ``rev`` under ``work_dir``
    (git archive); '' if git fails."""
    out = work_dir / f"src-{rev}"
    if not (out / "miner").is_dir():
        out.mkdir(parents=True, exist_ok=True)
        arch = subprocess.run(["git", "archive", rev, "miner", "models"], cwd=ROOT,
                              capture_output=True, check=False)
        if arch.returncode != 0:
            print(f"git archive {rev} failed: {arch.stderr.decode(errors='replace')[-300:]}")
            return ""
        subprocess.run(["tar", "-x", "-C", str(out)], input=arch.stdout, check=True)
    return str(out)


def bench_post(db: Path, rev: str, rows: list[dict], repeat: int = 1,
               work_dir: Path | None = None) -> None:
    """Post phase from scratch and for 100 new messages, this tree vs ``rev``, alternated
    ``repeat`` times (the best CPU of each is kept: on a shared machine the noise only adds)."""
    work_dir = work_dir or db.parent.parent / "bench-threads-post"
    work_dir.mkdir(parents=True, exist_ok=True)
    work = work_dir / "corpus.sqlite"
    impls = [("current", "")]
    if rev:
        src = _extract(rev, work_dir)
        if src:
            impls.append((f"@{rev}", src))
    n = int(subprocess.run(["sqlite3", str(db), "SELECT count(*) FROM messages"],
                           capture_output=True, text=True, check=False).stdout.strip() or 0)
    print(f"\npost-ingest phase on {db} ({n:,} messages); load average {os.getloadavg()[0]:.2f}")
    print(f"{'implementation':24s} {'case':16s} {'CPU s':>8s} {'+workers':>9s} {'(wall)':>9s} "
          f"{'peak RSS MB':>12s} {'(worker)':>9s}  load")
    best: dict[tuple[str, str], dict] = {}
    walls: dict[tuple[str, str], list[float]] = {}
    for _ in range(repeat):
        for mode, label in (("all", "every message"), ("new100", "100 new messages")):
            for name, src in impls:
                r = _post_child(db, mode, src, work)
                wall = "({:.2f})".format(r["wall"])
                print(f"{name:24s} {label:16s} {r['cpu']:8.2f} {r.get('cpu_workers', 0):9.2f} "
                      f"{wall:>9s} {r['rss']:12.0f} {r.get('rss_workers', 0):9.0f}  "
                      f"{os.getloadavg()[0]:4.1f}   threads {r['threads']:,}, "
                      f"people {r['people']:,}", flush=True)
                r["total"] = r["cpu"] + r.get("cpu_workers", 0.0)
                b = best.get((name, label))
                walls.setdefault((name, label), []).append(r["wall"])
                if b is None or r["total"] < b["total"]:
                    best[(name, label)] = r
    for (name, label), r in best.items():
        rows.append({"benchmark": "post", "metric": f"post phase {name}, {label}: CPU s",
                     "value": round(r["cpu"], 2), "unit": "s", "target": None,
                     "pass": None, "wall": round(r["wall"], 2), "n": n})
        rows.append({"benchmark": "post", "metric": f"post phase {name}, {label}: CPU s, "
                     "writer + workers", "value": round(r["total"], 2), "unit": "s",
                     "target": None, "pass": None, "wall": round(r["wall"], 2), "n": n})
        target = 300 if (name == "current" and label == "every message") else None
        rows.append({"benchmark": "post", "metric": f"post phase {name}, {label}: peak RSS "
                     "(largest worker process in brackets)", "value": round(r["rss"], 1),
                     "unit": "MB", "workers": round(r.get("rss_workers", 0.0), 1),
                     "target": f"<= {target}" if target else None,
                     "pass": (r["rss"] <= target) if target else None})
    if rev and len(impls) == 2:
        for label in ("every message", "100 new messages"):
            cur, base = best[("current", label)], best[(impls[1][0], label)]
            wb, wc = min(walls[(impls[1][0], label)]), min(walls[("current", label)])
            print(f"{label}: writer CPU {base['cpu']:.2f} -> {cur['cpu']:.2f} s "
                  f"({cur['cpu'] / base['cpu']:.2f}x of @{rev}), with workers {base['total']:.2f} "
                  f"-> {cur['total']:.2f} s, least wall {wb:.2f} -> {wc:.2f} s"
                  + (f"; per message from scratch: writer {1000 * cur['cpu'] / n:.3f} ms, with "
                     f"workers {1000 * cur['total'] / n:.3f} ms" if label == "every message"
                     else ""))
    work.unlink(missing_ok=True)
    for ext in ("-wal", "-shm"):
        Path(str(work) + ext).unlink(missing_ok=True)


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the 1,000,000-message run")
    ap.add_argument("--json", type=Path, help="write result rows to this file")
    ap.add_argument("--post-db", type=Path, default=None,
                    help=f"workspace database for the post-phase runs (default {POST_DB} "
                         "when it exists; skipped with --quick unless given)")
    ap.add_argument("--baseline-rev", default=BASELINE_REV,
                    help="git revision whose miner package is the baseline ('' for none)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="alternate current and baseline post-phase runs N times, keep the best")
    ap.add_argument("--work-dir", type=Path, default=None,
                    help="where the database copies go (default: bench-threads-post next to "
                         "the workspace folder)")
    ap.add_argument("--post-only", action="store_true",
                    help="only the post-phase runs (skip thread_messages and resolve_people)")
    args = ap.parse_args(argv)
    rows = []
    print("seconds = CPU time of this process (wall time in brackets; the two differ when the "
          "machine is shared)")
    print(f"{'benchmark':20s} {'n':>9s} {'seconds':>8s} {'(wall)':>8s} {'per sec':>10s} "
          f"{'rss MB':>7s}  accuracy")
    sizes = [] if args.post_only else [20_000, 100_000] + ([] if args.quick else [1_000_000])
    for n in sizes:
        items, truth = synth_threads(n)
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        links = thread_messages(items)
        wall, dt = time.perf_counter() - t0, time.process_time() - c0
        ok_p = sum(1 for lk in links if lk.parent_key == truth[lk.key][0])
        ok_r = sum(1 for lk in links if lk.root_key == truth[lk.key][1])
        acc = f"parent {100 * ok_p / n:.2f} %, root {100 * ok_r / n:.2f} %"
        print(f"{'thread_messages':20s} {n:9d} {dt:8.2f} {f'({wall:.2f})':>8s} {n / dt:10.0f} {_maxrss_mb():7.0f}  {acc}")
        target = 60.0 * n / 1_000_000
        rows.append({"benchmark": "threads", "metric": f"thread_messages seconds n={n}",
                     "value": round(dt, 3), "unit": "s", "target": f"<= {target:g}",
                     "pass": dt <= target})
        rows.append({"benchmark": "threads", "metric": f"synthetic parent accuracy n={n}",
                     "value": round(100 * ok_p / n, 2), "unit": "%", "target": ">= 99",
                     "pass": ok_p / n >= 0.99})
        del items, truth, links
    for n in [] if args.post_only else [10_000, 100_000]:
        senders = synth_senders(n)
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        people, merges = resolve_people(senders)
        wall, dt = time.perf_counter() - t0, time.process_time() - c0
        # each synthetic human has a distinct name suffix: count humans split or merged
        human = {s.key: s.name.split(" via ")[0] for s in senders}
        per_person: dict[int, set] = {}
        for k, p in people.items():
            per_person.setdefault(p, set()).add(human[k])
        pure = sum(1 for v in per_person.values() if len(v) == 1)
        humans = len(set(human.values()))
        acc = f"{len(per_person)} people for {humans} humans, {pure} pure"
        print(f"{'resolve_people':20s} {n:9d} {dt:8.2f} {f'({wall:.2f})':>8s} {n / dt:10.0f} {_maxrss_mb():7.0f}  {acc}")
        rows.append({"benchmark": "people", "metric": f"resolve_people seconds n={n}",
                     "value": round(dt, 3), "unit": "s", "target": "<= 30",
                     "pass": dt <= 30 and len(per_person) == humans == pure})
    post_db = args.post_db or (None if args.quick or not POST_DB.exists() else POST_DB)
    if post_db is not None:
        bench_post(post_db, args.baseline_rev, rows, args.repeat, args.work_dir)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0 if all(r["pass"] for r in rows if r["pass"] is not None) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
