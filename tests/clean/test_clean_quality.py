"""Quality of segmentation on labelled real mail (slow; figures printed, thresholds asserted).

- discourse email_reply_trimmer: whitespace-normalised exact match of the new text (>= 80 %).
- Webis-Gmane-19 Enron annotations, character level (evalmetrics.seg_counts), embedded
  messages read as quoted text: QUOTE >= 95, SIG >= 70, NEW >= 95 (the plain reading is printed).
"""
from __future__ import annotations

import json

import pytest

from miner.clean import segment

pytestmark = pytest.mark.slow
TOL = 0.5


def _rows(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_trimmer_exact_match(corpora, evalmetrics) -> None:
    base = corpora / "quote-signature-groundtruth" / "discourse-email_reply_trimmer"
    pairs = []
    for f in sorted((base / "emails").glob("*.txt")):
        gold = (base / "trimmed" / f.name).read_bytes().decode("utf-8", "replace")
        pairs.append((segment(f.read_bytes().decode("utf-8", "replace")).new_text, gold))
    assert len(pairs) == 64
    summ = evalmetrics.trim_summary(pairs)
    print(f"\ndiscourse trimmer: exact {summ['TRIM_EXACT']:.1f} %  token F1 {summ['TRIM_TOKF1']:.1f}")
    assert summ["TRIM_EXACT"] >= 80 - TOL


@pytest.mark.parametrize("split", ["enron-annotated.jsonl", "enron-annotated-finetuning-validation.jsonl"])
def test_webis_enron_char_f1(corpora, evalmetrics, split) -> None:
    rows = _rows(corpora / "webis-gmane19-segmentation" / split)
    figures = {}
    for emb in (True, False):
        counts = []
        for r in rows:
            segs = [(s.kind, s.start, s.end) for s in segment(r["text"]).segments]
            assert not evalmetrics.check_segments(r["text"], [{"kind": k, "start": a, "end": b} for k, a, b in segs])
            counts.append(evalmetrics.seg_counts(r["text"], r["labels"], segs, embedded_as_quote=emb))
        figures[emb] = s = evalmetrics.seg_summary(counts)
        print(f"\n{split} embedded_as_quote={emb}: " + "  ".join(
            f"{c} P {s[c + '_P']:.1f} R {s[c + '_R']:.1f} F1 {s[c + '_F1']:.1f}" for c in ("QUOTE", "SIG", "NEW")))
    s = figures[True]
    assert s["QUOTE_F1"] >= 95 - TOL
    assert s["NEW_F1"] >= 95 - TOL
    assert s["SIG_F1"] >= 70 - TOL


# Speed is measured by benchmarks/bench_clean.py (a timed test would flake on a shared machine).
