"""Ingest speed and memory: miner (decode + clean + thread + people + store + FTS) against the
stdlib floor (mailbox + email.policy.default, parse only) on the same gen_mbox archive, in the
same run. Perceval is measured too when a venv with it can be made (--perceval).

Usage: python benchmarks/bench_ingest.py [--n 50000] [--quick] [--perceval] [--json FILE]
"""
from __future__ import annotations

import shutil
import sys
import tempfile

sys.path.insert(0, __import__("os").path.dirname(__file__))
from _util import CACHE, PEAK_RSS, gen_mbox, print_table, run_child, write_rows  # noqa: E402

STDLIB = PEAK_RSS + """
import json, sys, time, mailbox, email, email.policy
t0 = time.perf_counter(); n = 0
box = mailbox.mbox(sys.argv[1], create=False)
for raw in (box.get_bytes(k) for k in box.iterkeys()):
    m = email.message_from_bytes(raw, policy=email.policy.default)
    b = m.get_body(preferencelist=("plain", "html"))
    if b is not None:
        try: b.get_content()
        except Exception: pass
    n += 1
print(json.dumps({"n": n, "seconds": time.perf_counter() - t0, "peak_rss_mb": _peak()}))
"""

MINER = PEAK_RSS + """
import json, sys, time
from miner import Workspace
ws = Workspace.open(sys.argv[2], create=True)
t0 = time.perf_counter()
r = ws.ingest([sys.argv[1]])
print(json.dumps({"n": r.messages_seen, "added": r.added, "seconds": time.perf_counter() - t0,
                  "peak_rss_mb": _peak()}))
"""

PERCEVAL = PEAK_RSS + """
import json, sys, time
from perceval.backends.core.mbox import MBox
t0 = time.perf_counter(); n = 0
for item in MBox(uri="bench", dirpath=sys.argv[1]).fetch():
    n += 1
print(json.dumps({"n": n, "seconds": time.perf_counter() - t0, "peak_rss_mb": _peak()}))
"""


def perceval_python() -> str | None:
    import subprocess
    import venv

    d = CACHE / "perceval-venv"
    py = d / "bin" / "python"
    if not py.exists():
        venv.create(d, with_pip=True)
        p = subprocess.run([str(py), "-m", "pip", "install", "-q", "perceval"], capture_output=True)
        if p.returncode != 0:
            print("could not install perceval into", d, p.stderr[-500:].decode(errors="replace"))
            return None
    return str(py)


def main(argv: list[str]) -> int:
    n = 10_000 if "--quick" in argv else int(argv[argv.index("--n") + 1]) if "--n" in argv else 50_000
    mbox, _ = gen_mbox(n)
    rows = []
    std = run_child(STDLIB, str(mbox))
    tmp = tempfile.mkdtemp(prefix="miner-bench-")
    try:
        mine = run_child(MINER, str(mbox), tmp + "/ws")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    std_rate = std["n"] / std["seconds"]
    rate = mine["n"] / mine["seconds"]
    rows += [
        {"benchmark": "ingest", "metric": f"stdlib floor msgs/s ({n:,} msgs)", "value": std_rate, "unit": "msg/s"},
        {"benchmark": "ingest", "metric": "stdlib floor peak RSS", "value": std["peak_rss_mb"], "unit": "MB"},
        {"benchmark": "ingest", "metric": "miner ingest msgs/s (full pipeline)", "value": rate, "unit": "msg/s"},
        {"benchmark": "ingest", "metric": "miner / stdlib ratio", "value": rate / std_rate, "unit": "x",
         "target": ">= 2", "pass": rate / std_rate >= 2},
        {"benchmark": "ingest", "metric": "miner ingest peak RSS", "value": mine["peak_rss_mb"], "unit": "MB",
         "target": "<= 300", "pass": mine["peak_rss_mb"] <= 300},
    ]
    if "--perceval" in argv:
        py = perceval_python()
        if py:
            d = tempfile.mkdtemp(prefix="perceval-")
            shutil.copy(mbox, d + "/bench.mbox")
            per = run_child(PERCEVAL, d, python=py)
            shutil.rmtree(d, ignore_errors=True)
            prate = per["n"] / per["seconds"]
            rows += [
                {"benchmark": "ingest", "metric": "perceval msgs/s", "value": prate, "unit": "msg/s"},
                {"benchmark": "ingest", "metric": "miner / perceval ratio", "value": rate / prate,
                 "unit": "x", "target": ">= 4", "pass": rate / prate >= 4},
            ]
    print_table(rows)
    write_rows(rows, argv)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
