"""Run every benchmark and print one table; results also go to benchmarks/results/*.json.

Each ``benchmarks/bench_*.py`` is a script that prints its own table and, when it is given
``--json FILE``, writes rows ``{"benchmark", "metric", "value", "unit", "target", "pass"}``.
Usage: python -m benchmarks [NAME ...] [--quick]
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    names = [a for a in argv if not a.startswith("--")]
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if any(n in s.stem for n in names)]
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    rows: list[dict] = []
    failed = []
    for script in scripts:
        res = out_dir / f"{script.stem}-{stamp}.json"
        cmd = [sys.executable, str(script), "--json", str(res)] + (["--quick"] if quick else [])
        print(f"== {script.stem}", flush=True)
        t0 = time.monotonic()
        p = subprocess.run(cmd, cwd=HERE.parent)
        if p.returncode != 0:
            failed.append(script.stem)
        if res.exists():
            rows.extend(json.loads(res.read_text()))
        print(f"   ({time.monotonic() - t0:.0f}s)", flush=True)
    if rows:
        print()
        print(f"{'benchmark':16s} {'metric':38s} {'value':>12s} {'unit':8s} {'target':>14s} pass")
        for r in rows:
            v = r.get("value")
            vs = f"{v:,.2f}" if isinstance(v, (int, float)) else str(v)
            print(f"{r.get('benchmark', '')[:16]:16s} {r.get('metric', '')[:38]:38s} {vs:>12s} "
                  f"{r.get('unit', '') or '':8s} {str(r.get('target') or ''):>14s} "
                  f"{'' if r.get('pass') is None else ('yes' if r['pass'] else 'NO')}")
        (out_dir / f"all-{stamp}.json").write_text(json.dumps(rows, indent=1))
    if failed:
        print(f"benchmarks that failed to run: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
