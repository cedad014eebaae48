"""gen_mbox.py answer key: decoded subject / sender name, the non-ASCII canary, counts."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from miner.ingest import read_sources
from miner.ingest.mime import ParseFailure, parse_bytes

pytestmark = pytest.mark.slow
N = 20000
CACHE = Path("/tmp/miner-ingest-cache")


@pytest.fixture(scope="module")
def generated(gen_mbox_tool):
    CACHE.mkdir(exist_ok=True)
    mbox, truth = CACHE / f"g{N}.mbox", CACHE / f"g{N}.jsonl"
    if not (mbox.exists() and truth.exists()):
        subprocess.run([sys.executable, str(gen_mbox_tool), "--n", str(N), "--out", str(mbox),
                        "--truth", str(truth)], check=True, capture_output=True)
    return mbox, [json.loads(line) for line in truth.open(encoding="utf-8")]


def squash(s: str) -> str:
    return " ".join(s.split())


def test_answer_key(generated):
    mbox, truth = generated
    parsed = []
    for _, items in read_sources([str(mbox)]):
        for it in items:
            try:
                parsed.append(parse_bytes(it.raw, fallback_date=it.fallback_date))
            except ParseFailure:
                parsed.append(None)
    assert len(parsed) == len(truth)
    subj = [p is not None and p.subject == t["subject"] for p, t in zip(parsed, truth)
            if t["subject"] is not None]
    name = [p is not None and p.from_name == t["from_name"] for p, t in zip(parsed, truth)
            if t["from_name"] is not None]
    canary = {"clean": [], "damaged": []}
    for p, t in zip(parsed, truth):
        if t["canary"]:
            ok = p is not None and squash(t["canary"]) in squash(p.body)
            canary["damaged" if t["malformed"] else "clean"].append(ok)
    rate = {k: sum(v) / len(v) for k, v in
            {"subject": subj, "from_name": name, **canary}.items()}
    print("\n" + "  ".join(f"{k}={v:.4%}" for k, v in rate.items()),
          f"messages={len(parsed)}/{len(truth)}")
    assert rate["subject"] >= 0.995
    assert rate["from_name"] >= 0.995
    assert rate["clean"] >= 0.995
    assert rate["damaged"] >= 0.95
