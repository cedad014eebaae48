"""Run every benchmark and print one table; results also go to benchmarks/results/*.json.

Each ``benchmarks/bench_*.py`` is a script that prints its own report and, when it is given
``--json FILE``, writes rows ``{"benchmark", "metric", "value", "unit", "target", "pass"}``;
``--quick`` asks it for a smaller, faster run. A script that crashes or writes no rows gets a
row saying so (pass = NO), so a broken benchmark cannot go unnoticed.

Usage:
    python -m benchmarks                      # everything (tens of minutes on 2 cores)
    python -m benchmarks --quick              # every benchmark in its quick form
    python -m benchmarks search scale         # only the scripts whose name contains a word
    python -m benchmarks scale -- --n 1000000 # arguments after -- go to every script run
    python -m benchmarks --list               # the scripts it would run
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _fmt(v) -> str:
    if isinstance(v, bool) or v is None:
        return "" if v is None else str(v)
    if isinstance(v, (int, float)):
        return f"{v:,.2f}" if abs(v) < 1e6 else f"{v:,.0f}"
    return str(v)


def print_table(rows: list[dict]) -> None:
    print(f"{'benchmark':10s} {'metric':48s} {'value':>12s} {'unit':6s} {'target':>10s} pass")
    for r in rows:
        ok = "" if r.get("pass") is None else ("yes" if r["pass"] else "NO")
        print(f"{str(r.get('benchmark', ''))[:10]:10s} {str(r.get('metric', ''))[:48]:48s} "
              f"{_fmt(r.get('value')):>12s} {str(r.get('unit') or '')[:6]:6s} "
              f"{str(r.get('target') or ''):>10s} {ok}")


def main(argv: list[str]) -> int:
    extra: list[str] = []
    if "--" in argv:
        argv, extra = argv[:argv.index("--")], argv[argv.index("--") + 1:]
    quick = "--quick" in argv
    names = [a for a in argv if not a.startswith("--")]
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if any(n in s.stem for n in names)]
    if "--list" in argv:
        for s in scripts:
            doc = (s.read_text(encoding="utf-8").split('"""')[1:2] or [""])[0].strip()
            print(f"{s.stem:16s} {doc.splitlines()[0] if doc else ''}")
        return 0
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    rows: list[dict] = []
    failed = []
    started = time.monotonic()
    load0 = os.getloadavg()
    for script in scripts:
        res = out_dir / f"{script.stem}-{stamp}.json"
        cmd = [sys.executable, str(script), "--json", str(res)] + (["--quick"] if quick else []) + extra
        print(f"== {script.stem}: {' '.join(cmd[1:])}", flush=True)
        t0 = time.monotonic()
        p = subprocess.run(cmd, cwd=HERE.parent)
        got = json.loads(res.read_text()) if res.exists() else []
        name = script.stem.removeprefix("bench_")
        if p.returncode != 0 or not got:
            failed.append(script.stem)
            got.append({"benchmark": name, "metric": f"script ran (exit {p.returncode}, "
                        f"{len(got)} rows)", "value": None, "unit": "", "target": "runs",
                        "pass": False})
        rows.extend(got)
        print(f"   ({time.monotonic() - t0:.0f}s)", flush=True)
    print()
    print(f"all benchmarks, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, load "
          f"average {load0[0]:.1f} at the start and {os.getloadavg()[0]:.1f} at the end, "
          f"{time.monotonic() - started:.0f}s{' (--quick)' if quick else ''}")
    print_table(rows)
    judged = [r for r in rows if r.get("pass") is not None]
    missed = [r for r in judged if not r["pass"]]
    print(f"\n{len(judged) - len(missed)} of {len(judged)} targets met" if judged else
          "\nno row here has a target"
          + (f"; missed: {', '.join(r['benchmark'] + ' ' + r['metric'] for r in missed)}"
             if missed else ""))
    summary = out_dir / f"all-{stamp}.json"
    summary.write_text(json.dumps({"when": stamp, "quick": quick, "load_start": load0[0],
                                   "load_end": os.getloadavg()[0], "rows": rows}, indent=1))
    print(f"rows written to {summary}")
    if failed:
        print(f"benchmarks that failed to run or wrote no rows: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
