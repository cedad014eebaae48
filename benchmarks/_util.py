"""Helpers shared by the benchmark scripts: synthetic archives, timing child processes."""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CACHE = Path(os.environ.get("MINER_BENCH_CACHE", "/tmp/miner-bench"))


def gen_mbox(n: int, seed: int = 42) -> tuple[Path, Path]:
    """A gen_mbox.py archive of ``n`` messages and its answer key (cached; deterministic)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    out, truth = CACHE / f"gen-{n}-{seed}.mbox", CACHE / f"gen-{n}-{seed}.jsonl"
    if not (out.exists() and truth.exists()):
        tool = SHARED / "tools" / "gen_mbox.py"
        if not tool.exists():
            sys.exit(f"{tool} is missing: the benchmarks need ../shared/tools")
        subprocess.run([sys.executable, str(tool), "--n", str(n), "--seed", str(seed),
                        "--out", str(out), "--truth", str(truth)], check=True,
                       stdout=subprocess.DEVNULL)
    return out, truth


def run_child(code: str, *args: str, python: str = sys.executable) -> dict:
    """Run ``code`` in a fresh interpreter; return its JSON result plus wall time and peak RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    p = subprocess.run([python, "-c", code, *args], capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"child failed: {p.stderr[-2000:]}")
    res = json.loads(p.stdout.strip().splitlines()[-1])
    res.setdefault("wall", wall)
    # ru_maxrss of children is the max over all children so far: measure in the child too.
    res.setdefault("peak_rss_mb", max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024)
    return res


PEAK_RSS = "import resource; _peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"


def write_rows(rows: list[dict], argv: list[str]) -> None:
    if "--json" in argv:
        path = Path(argv[argv.index("--json") + 1])
        path.write_text(json.dumps(rows, indent=1))


def print_table(rows: list[dict]) -> None:
    print(f"{'metric':44s} {'value':>12s} {'unit':8s} {'target':>14s} pass")
    for r in rows:
        v = r["value"]
        vs = f"{v:,.2f}" if isinstance(v, (int, float)) else str(v)
        ok = "" if r.get("pass") is None else ("yes" if r["pass"] else "NO")
        print(f"{r['metric'][:44]:44s} {vs:>12s} {r.get('unit', ''):8s} "
              f"{str(r.get('target') or ''):>14s} {ok}")
