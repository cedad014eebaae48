"""Ingest speed and memory: miner (decode + clean + thread + people + store + FTS) against the
stdlib floor (mailbox + email.policy.default + the body text, parse only) on the same gen_mbox
archive, in the same run, and Perceval (installed into a venv under the benchmark cache by this
script) in the full run, or in a --quick one with --perceval; --no-perceval leaves it out.

Wall-clock rates on a shared machine are noise, so every row has a CPU-based twin: CPU seconds
(user + system) of the process and of the worker processes it waited for. The CPU ratio to the
stdlib floor is the figure to compare across runs; "2-core rate" estimates what a quiet 2-core
machine gives: messages / (max(writer CPU, total CPU / 2) over the parallel part + the post
phase's CPU) (the writer is one process, the workers share the cores with it; the post phase,
threads and people, runs in the writer alone after the parallel part).

Usage: python benchmarks/bench_ingest.py [--n 50000] [--quick] [--perceval | --no-perceval] [--json FILE]
                                         [--against SRC]   # SRC: another tree's root, e.g.
    git archive <commit> miner models | tar -x -C /tmp/before  ->  --against /tmp/before
                                         [--repeat N] [--archive PATH]
(--against measures that tree's miner first, in the same run: before/after rows; --repeat N
runs miner N times, alternated with the other tree's, and keeps each side's run with the
least CPU: on a loaded machine CPU times inflate too; --archive PATH measures a real archive,
one mbox file or a folder of them, e.g. ../shared/corpora/r-sig-meta-analysis/raw, instead of
gen_mbox: its "n" rows count what each tool read)
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
from _util import CACHE, PEAK_RSS, gen_mbox, print_table, run_child, write_rows

CPU = PEAK_RSS + """
import resource, time
def _cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime, c.ru_utime + c.ru_stime
"""

STDLIB = CPU + """
import json, sys, mailbox, email, email.policy
import os
c0, _ = _cpu(); t0 = time.perf_counter(); n = 0
path = sys.argv[1]
files = [os.path.join(path, f) for f in sorted(os.listdir(path))] if os.path.isdir(path) else [path]
for box in (mailbox.mbox(f, create=False) for f in files):
    for raw in (box.get_bytes(k) for k in box.iterkeys()):
        m = email.message_from_bytes(raw, policy=email.policy.default)
        b = m.get_body(preferencelist=("plain", "html"))
        if b is not None:
            try: b.get_content()
            except Exception: pass
        n += 1
c1, _ = _cpu()
print(json.dumps({"n": n, "seconds": time.perf_counter() - t0, "cpu": c1 - c0, "cpu_workers": 0.0,
                  "peak_rss_mb": _peak()}))
"""

MINER = CPU + """
import json, sys, threading
from miner import Workspace
# Peak RSS of the writer and its worker processes together, sampled every 0.2 s (the
# rusage figures give each process's own peak only).
_tree_peak = [0.0]
_done = threading.Event()
def _sample():
    try:
        import psutil
    except ImportError:
        return
    me = psutil.Process()
    while not _done.wait(0.2):
        total = 0
        for p in [me] + me.children(recursive=True):
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        _tree_peak[0] = max(_tree_peak[0], total / 2**20)
threading.Thread(target=_sample, daemon=True).start()
# CPU of the post phase (threads, people): it runs in the writer after the parallel part,
# on one core, so the 2-core estimate adds it rather than sharing it out.
import miner.ingest.post as _post
_post_cpu = [0.0]
def _timed(f, acc):
    def g(*a, **k):
        c = time.process_time()
        try:
            return f(*a, **k)
        finally:
            acc[0] += time.process_time() - c
    return g
_post.rebuild_people = _timed(_post.rebuild_people, _post_cpu)
_post.rebuild_threads = _timed(_post.rebuild_threads, _post_cpu)
# CPU of the writer's _store (rows, raw, attachments, links, full text), the same way
import miner.ingest.run as _run
_store_cpu = [0.0]
_run._store = _timed(_run._store, _store_cpu)
ws = Workspace.open(sys.argv[2], create=True)
c0, w0 = _cpu(); t0 = time.perf_counter()
r = ws.ingest([sys.argv[1]])
c1, w1 = _cpu()
_done.set()
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"n": r.messages_seen, "added": r.added, "seconds": time.perf_counter() - t0,
                  "cpu": c1 - c0, "cpu_workers": w1 - w0, "cpu_post": _post_cpu[0],
                  "cpu_store": _store_cpu[0],
                  "peak_rss_mb": _peak(),
                  "peak_rss_worker_mb": kids, "peak_rss_all_mb": _tree_peak[0]}))
"""

PERCEVAL = CPU + """
import json, sys
from perceval.backends.core.mbox import MBox
c0, _ = _cpu(); t0 = time.perf_counter(); n = 0
for item in MBox(uri="bench", dirpath=sys.argv[1]).fetch():
    n += 1
c1, _ = _cpu()
print(json.dumps({"n": n, "seconds": time.perf_counter() - t0, "cpu": c1 - c0, "cpu_workers": 0.0,
                  "peak_rss_mb": _peak()}))
"""


# Runs the miner child from another source tree (``--against DIR``, e.g. a `git archive` of
# an earlier commit): that tree goes first on sys.path and the editable install's finder
# is dropped, so "before" and "after" are measured in the same run, under the same load.
AGAINST = """
import sys
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
sys.path.insert(0, sys.argv.pop(3))
import miner
assert miner.__file__.startswith(sys.path[0]), miner.__file__
"""


def perceval_python() -> str | None:
    """A venv with perceval under the benchmark cache (made once); None if pip fails."""
    import subprocess
    import venv

    d = CACHE / "perceval-venv"
    py = d / "bin" / "python"
    ok = d / ".installed"
    if not ok.exists():
        venv.create(d, with_pip=True, clear=True)
        p = subprocess.run([str(py), "-m", "pip", "install", "-q", "perceval"],
                           check=False, capture_output=True)
        if p.returncode != 0:
            print("could not install perceval into", d, p.stderr[-500:].decode(errors="replace"))
            return None
        ok.touch()
    return str(py)


def rates(r: dict) -> dict:
    """Wall rate, CPU rate (one core) and the 2-core estimate of one child's result.

    The 2-core estimate: the parallel part (writer storing while the workers prepare) takes
    max(writer CPU, all its CPU / 2); the post phase (threads, people) runs alone after it."""
    total = r["cpu"] + r["cpu_workers"]
    post = r.get("cpu_post", 0.0)
    par = max(r["cpu"] - post, (total - post) / 2) if r["cpu_workers"] else total - post
    return {"wall": r["n"] / r["seconds"], "cpu": r["n"] / total, "cpu2": r["n"] / (par + post),
            "ms": 1000 * total / r["n"]}


def main(argv: list[str]) -> int:
    if "--help" in argv or "-h" in argv:
        print(__doc__)
        return 0
    n = int(argv[argv.index("--n") + 1]) if "--n" in argv else 10_000 if "--quick" in argv else 50_000
    if "--archive" in argv:  # a real archive: one mbox file or a folder of them
        mbox = Path(argv[argv.index("--archive") + 1])
    else:
        mbox, _ = gen_mbox(n)
    load0 = os.getloadavg()
    std = run_child(STDLIB, str(mbox))
    tmp = tempfile.mkdtemp(prefix="miner-bench-")
    against = argv[argv.index("--against") + 1] if "--against" in argv else None
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 1
    olds, mines = [], []
    try:
        for i in range(repeat):  # before (another tree), then after (this one), alternated
            if against:
                olds.append(run_child(AGAINST + MINER, str(mbox), f"{tmp}/ws0-{i}", against))
                shutil.rmtree(f"{tmp}/ws0-{i}", ignore_errors=True)
            mines.append(run_child(MINER, str(mbox), f"{tmp}/ws-{i}"))
            shutil.rmtree(f"{tmp}/ws-{i}", ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    # On a loaded machine CPU times inflate too (shared caches): the run with the least CPU
    # of each side is the one least disturbed, and the pair is compared.
    mine = min(mines, key=lambda r: r["cpu"] + r["cpu_workers"])
    if against:
        old = min(olds, key=lambda r: r["cpu"] + r["cpu_workers"])
    s, m = rates(std), rates(mine)
    B = "ingest"
    rows = []
    if against:
        o = rates(old)
        rows += [
            {"benchmark": B, "metric": f"BEFORE ({os.path.basename(against.rstrip('/'))}, best of {repeat}) "
             "workers CPU ms/msg",
             "value": 1000 * old["cpu_workers"] / old["n"], "unit": "ms"},
            {"benchmark": B, "metric": "BEFORE writer _store CPU ms/msg",
             "value": 1000 * old.get("cpu_store", 0.0) / old["n"], "unit": "ms"},
            {"benchmark": B, "metric": "BEFORE writer CPU ms/msg (post phase included)",
             "value": 1000 * old["cpu"] / old["n"], "unit": "ms"},
            {"benchmark": B, "metric": "BEFORE  of which post phase", "value": 1000 * old["cpu_post"] / old["n"],
             "unit": "ms"},
            {"benchmark": B, "metric": "BEFORE CPU ms per message (writer + workers)", "value": o["ms"], "unit": "ms"},
            {"benchmark": B, "metric": "BEFORE 2-core rate from CPU times", "value": o["cpu2"], "unit": "msg/s"},
            {"benchmark": B, "metric": "BEFORE msgs/s wall (at this load)", "value": o["wall"], "unit": "msg/s"},
        ]
    rows += [
        {"benchmark": B, "metric": f"stdlib floor msgs/s wall ({std['n']:,} msgs, {mbox.name})", "value": s["wall"], "unit": "msg/s"},
        {"benchmark": B, "metric": "stdlib floor msgs/s per CPU second", "value": s["cpu"], "unit": "msg/s"},
        {"benchmark": B, "metric": "stdlib floor CPU ms per message", "value": s["ms"], "unit": "ms"},
        {"benchmark": B, "metric": "stdlib floor peak RSS", "value": std["peak_rss_mb"], "unit": "MB"},
        {"benchmark": B, "metric": "miner ingest msgs/s wall (full pipeline)", "value": m["wall"], "unit": "msg/s"},
        {"benchmark": B, "metric": "miner msgs/s per CPU second (all processes)", "value": m["cpu"], "unit": "msg/s"},
        {"benchmark": B, "metric": f"miner CPU ms per message (writer + workers, best of {repeat})", "value": m["ms"],
         "unit": "ms"},
        {"benchmark": B, "metric": "miner workers CPU ms per message", "value": 1000 * mine["cpu_workers"] / mine["n"],
         "unit": "ms"},
        {"benchmark": B, "metric": "miner writer _store CPU ms per message", "value": 1000 * mine["cpu_store"] / mine["n"],
         "unit": "ms"},
        {"benchmark": B, "metric": "miner writer CPU ms per message", "value": 1000 * mine["cpu"] / mine["n"], "unit": "ms"},
        {"benchmark": B, "metric": "  of which post phase (threads, people)", "value": 1000 * mine["cpu_post"] / mine["n"],
         "unit": "ms"},
        {"benchmark": B, "metric": "miner 2-core rate from CPU times", "value": m["cpu2"], "unit": "msg/s"},
        {"benchmark": B, "metric": "miner / stdlib ratio, wall", "value": m["wall"] / s["wall"], "unit": "x",
         "target": ">= 2", "pass": m["wall"] / s["wall"] >= 2},
        {"benchmark": B, "metric": "miner / stdlib ratio, CPU (one core each)", "value": m["cpu"] / s["cpu"], "unit": "x"},
        {"benchmark": B, "metric": "miner 2-core / stdlib 1-core ratio, CPU", "value": m["cpu2"] / s["cpu"], "unit": "x",
         "target": ">= 2", "pass": m["cpu2"] / s["cpu"] >= 2},
        {"benchmark": B, "metric": "miner ingest peak RSS (writer)", "value": mine["peak_rss_mb"], "unit": "MB",
         "target": "<= 300", "pass": mine["peak_rss_mb"] <= 300},
        {"benchmark": B, "metric": "miner peak RSS, largest worker", "value": mine["peak_rss_worker_mb"],
         "unit": "MB"},
        {"benchmark": B, "metric": "miner peak RSS, writer + workers (sampled)",
         "value": mine["peak_rss_all_mb"], "unit": "MB", "target": "<= 300",
         "pass": 0 < mine["peak_rss_all_mb"] <= 300},
    ]
    if "--perceval" in argv or ("--quick" not in argv and "--no-perceval" not in argv):
        py = perceval_python()
        if py:
            d = tempfile.mkdtemp(prefix="perceval-")
            try:
                if mbox.is_dir():
                    d = str(mbox)  # Perceval reads every mbox file of a folder itself
                else:
                    shutil.copy(mbox, d + "/bench.mbox")
                per = run_child(PERCEVAL, d, python=py)
            finally:
                if not mbox.is_dir():
                    shutil.rmtree(d, ignore_errors=True)
            p = rates(per)
            rows += [
                {"benchmark": B, "metric": "perceval msgs/s wall", "value": p["wall"], "unit": "msg/s"},
                {"benchmark": B, "metric": "perceval msgs/s per CPU second", "value": p["cpu"], "unit": "msg/s"},
                {"benchmark": B, "metric": "miner / perceval ratio, wall", "value": m["wall"] / p["wall"],
                 "unit": "x", "target": ">= 4", "pass": m["wall"] / p["wall"] >= 4},
                {"benchmark": B, "metric": "miner 2-core / perceval 1-core ratio, CPU", "value": m["cpu2"] / p["cpu"],
                 "unit": "x", "target": ">= 4", "pass": m["cpu2"] / p["cpu"] >= 4},
            ]
    load1 = os.getloadavg()
    rows.append({"benchmark": B, "metric": "load average (1 min) at start / end",
                 "value": f"{load0[0]:.1f} / {load1[0]:.1f}", "unit": f"{os.cpu_count()} cores"})
    print_table(rows)
    write_rows(rows, argv)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
