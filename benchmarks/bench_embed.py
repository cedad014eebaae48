#!/usr/bin/env python3
"""Embedding stage overhead: messages/s of ``miner.stages.embeddings.run`` against the raw model's
``encode()`` on exactly the same texts (the stage's chunks), in the same process and run.

The stage adds chunking, content hashing, the cache look-up, float16 BLOB writes and the
message-matrix file; the target is <= 10 % overhead over encode() alone. Messages come from
gen_mbox's answer key (the author's new text), inserted into a fresh workspace.

Usage: python benchmarks/bench_embed.py [--model minilm|static] [--n N] [--quick] [--json FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._util import CACHE, gen_mbox


def build(n: int, model: str, path: Path):
    from miner.workspace import Workspace

    shutil.rmtree(path, ignore_errors=True)
    ws = Workspace.open(path, create=True, overrides={"embedding_model": model})
    _, truth = gen_mbox(10_000)
    with ws.db, truth.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i >= n:
                break
            t = json.loads(line)
            key = t["mid"] or f"seq:{t['seq']}"
            ws.db.execute("INSERT OR IGNORE INTO messages(key, message_id, subject, date, text, "
                          "thread_id) VALUES (?,?,?,?,?,?)", (key, key, t["subject"] or "",
                                                              t["date_iso"], t["new_text"] or "",
                                                              t["thread"]))
    return ws


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="minilm", choices=("minilm", "static"))
    ap.add_argument("--n", type=int, default=None)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    n = a.n or (200 if a.quick else (1000 if a.model == "minilm" else 10_000))
    from miner.stages import embeddings as E

    ws = build(n, a.model, CACHE / f"embed-{a.model}")
    emb = E.get_embedder(ws)
    max_tokens = int(getattr(emb, "max_seq_length", ws.config["max_seq_length"]))
    rows = ws.db.execute("SELECT subject, text FROM messages").fetchall()
    texts = list(dict.fromkeys(c[2] for s, t in rows for c in E.chunk_message(s, t, max_tokens)))
    bs = ws.config["batch_size"]
    emb.encode(texts[:16], batch_size=bs)  # warm up (threads, allocations)

    def timed(fn):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        return out, time.perf_counter() - w, time.process_time() - c

    # raw encode() before and after the stage: the machine is shared, so its load drifts
    _, raw1, raw1_cpu = timed(lambda: emb.encode(texts, batch_size=bs))
    rep, stage, stage_cpu = timed(lambda: E.run(ws))
    _, raw2, raw2_cpu = timed(lambda: emb.encode(texts, batch_size=bs))
    raw, raw_cpu = (raw1 + raw2) / 2, (raw1_cpu + raw2_cpu) / 2
    assert rep["texts_encoded"] == len(texts), (rep, len(texts))
    overhead = 100 * (stage - raw) / raw
    overhead_cpu = 100 * (stage_cpu - raw_cpu) / raw_cpu
    print(f"{a.model}: {len(rows)} messages, {len(texts)} chunk texts "
          f"(load average {os.getloadavg()[0]:.1f})")
    print(f"  raw encode():  wall {raw:7.2f}s ({raw1:.2f}, {raw2:.2f}) {len(rows) / raw:9.1f} msg/s"
          f"   cpu {raw_cpu:7.2f}s")
    print(f"  stage run():   wall {stage:7.2f}s {'':14s} {len(rows) / stage:9.1f} msg/s"
          f"   cpu {stage_cpu:7.2f}s")
    print(f"  overhead: wall {overhead:+.1f} %, cpu {overhead_cpu:+.1f} % (target <= 10 %)")
    out = [{"benchmark": "embed", "metric": f"{a.model} raw encode messages/s",
            "value": round(len(rows) / raw, 1), "unit": "msg/s", "target": None, "pass": None},
           {"benchmark": "embed", "metric": f"{a.model} stage messages/s",
            "value": round(len(rows) / stage, 1), "unit": "msg/s", "target": None, "pass": None},
           {"benchmark": "embed", "metric": f"{a.model} stage overhead (wall)",
            "value": round(overhead, 1), "unit": "%", "target": "<= 10", "pass": overhead <= 10},
           {"benchmark": "embed", "metric": f"{a.model} stage overhead (cpu)",
            "value": round(overhead_cpu, 1), "unit": "%", "target": "<= 10",
            "pass": overhead_cpu <= 10}]
    if a.json:
        a.json.write_text(json.dumps(out, indent=1))
    ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
