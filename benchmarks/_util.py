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
        # written under .part names and renamed at the end: an interrupted run leaves no
        # truncated archive that a later call would take for a finished one
        parts = out.with_suffix(".mbox.part"), truth.with_suffix(".jsonl.part")
        subprocess.run([sys.executable, str(tool), "--n", str(n), "--seed", str(seed),
                        "--out", str(parts[0]), "--truth", str(parts[1])], check=True,
                       stdout=subprocess.DEVNULL)
        os.replace(parts[1], truth)
        os.replace(parts[0], out)
    return out, truth


def insert_answer_key(ws, n: int, list_name: str = "bench") -> None:
    """Fill an empty workspace with the rows of gen_mbox's answer key for ``n`` messages
    (subject, sender, date, thread, the author's new text), inserted directly: for benchmarks
    of what comes after ingest, whose workspace should take seconds to build."""
    if ws.db.execute("SELECT count(*) FROM messages").fetchone()[0] >= n:
        return
    _, truth = gen_mbox(n)
    with ws.db, truth.open(encoding="utf-8") as fh:
        for line in fh:
            t = json.loads(line)
            key = t["mid"] or f"seq:{t['seq']}"
            ws.db.execute(
                "INSERT OR IGNORE INTO messages(key, message_id, list, subject, from_name, "
                "from_email, date, text, thread_id) VALUES (?,?,?,?,?,?,?,?,?)",
                (key, key, list_name, t["subject"] or "", t["from_name"] or "",
                 t["from_addr"] or "", t["date_iso"], t["new_text"] or "", t["thread"]))


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


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except (OSError, ValueError):
            pass
    return out


def _tree_memory(pid: int) -> tuple[float, float]:
    """(sum of PSS over ``pid`` and its descendants, largest single RSS), in MB, from /proc
    (``smaps_rollup``: cheap enough to sample every second; 0 where /proc lacks it).

    PSS counts pages shared between forked workers once, so the sum is the real footprint."""
    pss = rss = 0.0
    for p in _descendants(pid):
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1]) / 1024
                elif line.startswith("Rss:"):
                    rss = max(rss, int(line.split()[1]) / 1024)
        except (OSError, ValueError):
            pass
    return pss, rss


def measure_child(code: str, *args: str, python: str = sys.executable, stream: bool = False,
                  interval: float = 1.0) -> dict:
    """Like :func:`run_child`, and also: CPU seconds (user + system, the child and the workers it
    waited for), the peak of the process tree's summed PSS (sampled every ``interval`` s), the
    peak single-process RSS and the load average before and after. With ``stream`` the child's
    stderr (its progress lines) goes to ours instead of being captured."""
    import threading

    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    p = subprocess.Popen([python, "-c", code, *args], stdout=subprocess.PIPE,
                         stderr=None if stream else subprocess.PIPE, text=True, cwd=ROOT)
    peak = {"pss": 0.0, "rss": 0.0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            pss, rss = _tree_memory(p.pid)
            peak["pss"] = max(peak["pss"], pss)
            peak["rss"] = max(peak["rss"], rss)
            done.wait(interval)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    out, err = p.communicate()
    done.set()
    th.join()
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise RuntimeError(f"child failed ({p.returncode}): {(err or '')[-3000:]}")
    res = json.loads(out.strip().splitlines()[-1])
    res.setdefault("wall", wall)
    res["cpu_s"] = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    res["tree_pss_peak_mb"] = peak["pss"]
    res["sampled_rss_peak_mb"] = peak["rss"]
    res["load_before"], res["load_after"] = load0, os.getloadavg()[0]
    return res
