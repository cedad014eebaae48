"""Parse speed: miner's read_sources + parse_bytes against the stdlib floor.

    python -m benchmarks.bench_parse [--n 50000] [--quick] [--json FILE]

Both run on the same gen_mbox.py archive, each in a fresh subprocess that reports its
own message count, parse time and peak RSS (``ru_maxrss`` of the child itself).
The stdlib floor is ``mailbox.mbox`` + ``email.message_from_bytes(policy=default)``
plus getting the body text, which is what a plain stdlib ingest has to do.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT.parent / "shared" / "tools" / "gen_mbox.py"
CACHE = Path("/tmp/miner-ingest-cache")

MINER = r"""
import json, resource, sys, time
from miner.ingest import read_sources
from miner.ingest.mime import ParseFailure, parse_bytes
t = time.perf_counter(); n = bad = 0
for _, items in read_sources([sys.argv[1]]):
    for it in items:
        try:
            parse_bytes(it.raw, fallback_date=it.fallback_date)
        except ParseFailure:
            bad += 1
        n += 1
dt = time.perf_counter() - t
print(json.dumps({"n": n, "failed": bad, "secs": dt,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

STDLIB = r"""
import email, email.policy, json, mailbox, resource, sys, time
t = time.perf_counter(); n = bad = 0
box = mailbox.mbox(sys.argv[1], create=False)
for key in box.iterkeys():
    try:
        m = email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
        b = m.get_body(("plain", "html"))
        if b is not None:
            b.get_content()
        str(m["subject"]); str(m["from"]); m["date"]
    except Exception:
        bad += 1
    n += 1
dt = time.perf_counter() - t
print(json.dumps({"n": n, "failed": bad, "secs": dt,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def archive(n: int) -> Path:
    CACHE.mkdir(exist_ok=True)
    out = CACHE / f"g{n}.mbox"
    if not out.exists():
        if not TOOL.exists():
            sys.exit(f"{TOOL} is missing: this benchmark needs ../shared/tools/gen_mbox.py")
        subprocess.run([sys.executable, str(TOOL), "--n", str(n), "--out", str(out),
                        "--truth", str(CACHE / f"g{n}.jsonl")], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return out


def child(code: str, path: Path) -> dict:
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                       text=True, cwd=ROOT)
    if p.returncode:
        raise RuntimeError(p.stderr[-2000:])
    res = json.loads(p.stdout.strip().splitlines()[-1])
    res["wall"] = time.perf_counter() - t
    return res


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=50000)
    ap.add_argument("--quick", action="store_true", help="10,000 messages")
    ap.add_argument("--json", type=Path, help="write benchmark rows to this file")
    args = ap.parse_args(argv)
    if args.quick:
        args.n = 10_000
    path = archive(args.n)
    size = path.stat().st_size / 1e6
    rows = {"miner": child(MINER, path), "stdlib floor": child(STDLIB, path)}
    print(f"{args.n:,} messages, {size:.0f} MB mbox ({path})")
    print(f"{'parser':14} {'msgs':>7} {'failed':>6} {'secs':>7} {'msgs/s':>8} {'peak RSS':>9}")
    for name, r in rows.items():
        r["rate"] = r["n"] / r["secs"]
        print(f"{name:14} {r['n']:7,} {r['failed']:6} {r['secs']:7.1f} {r['rate']:8,.0f} "
              f"{r['rss_mb']:7.0f} MB")
    ratio = rows["miner"]["rate"] / rows["stdlib floor"]["rate"]
    print(f"speed ratio miner / stdlib floor: {ratio:.1f}x")
    if args.json:
        m = rows["miner"]
        args.json.write_text(json.dumps([
            {"benchmark": "parse", "metric": "miner parse msgs/s", "value": round(m["rate"], 1),
             "unit": "msg/s", "target": None, "pass": None},
            {"benchmark": "parse", "metric": "stdlib floor parse msgs/s",
             "value": round(rows["stdlib floor"]["rate"], 1), "unit": "msg/s", "target": None,
             "pass": None},
            {"benchmark": "parse", "metric": "miner / stdlib parse ratio", "value": round(ratio, 2),
             "unit": "x", "target": None, "pass": None},
            {"benchmark": "parse", "metric": "miner parse peak RSS", "value": round(m["rss_mb"], 1),
             "unit": "MB", "target": None, "pass": None}], indent=1))
    return {"rows": rows, "ratio": ratio}


if __name__ == "__main__":
    main()
