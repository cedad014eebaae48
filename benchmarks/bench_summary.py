#!/usr/bin/env python3
"""Benchmark of the consolidated reply's ``summary_text`` on the BC3 e-mail summarization corpus.

16 threads with 3 human abstractive summaries each (../shared/corpora/bc3-email-summarization).
Each thread's e-mails (BC3's sentences, quoted lines dropped) are written into a temporary
workspace; ``miner.stages.summary.summarize`` runs on each thread. Scoring is evalmetrics'
(ROUGE-1/2/L F1, stemming, system text truncated to the mean reference length in words, mean
over the 3 references, macro over threads), next to two baselines computed in the same run on
the same sentences (lead: the thread's sentences in order; TF-IDF centroid: sentences closest
to the thread's centroid, in thread order) and the human ceiling (each annotator against the
other two).

Usage: python benchmarks/bench_summary.py [--json FILE] [--embedder hashing|auto]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
BC3 = SHARED / "corpora" / "bc3-email-summarization"
sys.path.insert(0, str(ROOT))


def load_evalmetrics():
    spec = importlib.util.spec_from_file_location("evalmetrics", SHARED / "tools" / "evalmetrics.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@dataclass
class Mail:
    author: str
    email: str
    date: datetime | None
    subject: str
    sentences: list[str]


@dataclass
class BC3Thread:
    listno: str
    name: str
    mails: list[Mail]
    summaries: list[str]


def _date(s: str | None) -> datetime | None:
    if not s:
        return None
    for fmt in ("%a %b %d %H:%M:%S %z %Y",):
        try:
            return datetime.strptime(s.strip(), fmt)
        except ValueError:
            pass
    return None


def _quoted(s: str) -> bool:
    t = s.strip()
    return t.startswith(("&gt;", ">"))


def load_bc3(root: Path = BC3) -> list[BC3Thread]:
    """The 16 annotated threads: mails (quoted sentences dropped) and the 3 summaries."""
    ann: dict[str, list[str]] = {}
    for th in ET.parse(root / "annotation.xml").getroot().iter("thread"):
        listno = th.findtext("listno").strip()
        for a in th.iter("annotation"):
            summ = " ".join((s.text or "").strip() for s in a.find("summary").iter("sent"))
            ann.setdefault(listno, []).append(summ)
    out = []
    for th in ET.parse(root / "corpus.xml").getroot().iter("thread"):
        listno = th.findtext("listno").strip()
        mails = []
        for doc in th.iter("DOC"):
            name, email = parseaddr(doc.findtext("From") or "")
            sents = [(s.text or "").strip() for s in doc.find("Text").iter("Sent")]
            sents = [s for s in sents if s and not _quoted(s)]
            mails.append(Mail(name or email or "unknown", email, _date(doc.findtext("Received")),
                              (doc.findtext("Subject") or "").strip(), sents))
        if listno in ann:
            out.append(BC3Thread(listno, th.findtext("name").strip(), mails, ann[listno]))
    return out


def build_workspace(path: Path, threads: list[BC3Thread]):
    """A workspace holding the threads (messages written directly; no ingest needed)."""
    from miner.workspace import Workspace

    ws = Workspace.open(path, create=True)
    conn = ws.db
    with conn:
        for t in threads:
            first = None
            for i, m in enumerate(t.mails):
                key = f"bc3-{t.listno}-{i}"
                first = first or key
                conn.execute(
                    "INSERT INTO messages(key, message_id, list, subject, from_name, from_email, "
                    "date, text, thread_id, parent_key) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (key, key, "bc3", m.subject, m.author, m.email,
                     m.date.astimezone().isoformat() if m.date else None,
                     "\n\n".join(m.sentences), t.listno, None if i == 0 else first))
            conn.execute("INSERT INTO threads(thread_id, root_key, list, subject, messages, "
                         "participants) VALUES (?,?,?,?,?,?)",
                         (t.listno, first, "bc3", t.name, len(t.mails),
                          len({m.email for m in t.mails})))
    return ws


def thread_sentences(t: BC3Thread) -> list[str]:
    return [s for m in t.mails for s in m.sentences]


def lead(t: BC3Thread) -> str:
    return " ".join(thread_sentences(t))


def centroid(t: BC3Thread, budget: int) -> str:
    from sklearn.feature_extraction.text import TfidfVectorizer

    sents = thread_sentences(t)
    X = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(sents)
    c = X.mean(axis=0).A1
    scores = (X @ c) / ((abs(X.multiply(X).sum(axis=1).A1) ** 0.5 + 1e-9) * ((c @ c) ** 0.5 + 1e-9))
    order = sorted(range(len(sents)), key=lambda i: -scores[i])
    picked, words = [], 0
    for i in order:
        picked.append(i)
        words += len(sents[i].split())
        if words >= budget:
            break
    return " ".join(sents[i] for i in sorted(picked))


def run(threads: list[BC3Thread], ws, em) -> dict:
    """{system: macro ROUGE dict} for miner, lead, centroid and the human ceiling."""
    from miner.stages.summary import summarize

    rows: dict[str, list[dict]] = {"miner": [], "lead": [], "centroid": [], "human": []}
    for t in threads:
        budget = round(sum(len(s.split()) for s in t.summaries) / len(t.summaries))
        reply = summarize(ws, t.listno, related=False)
        rows["miner"].append(em.rouge_vs_refs(reply.summary_text, t.summaries, budget))
        rows["lead"].append(em.rouge_vs_refs(lead(t), t.summaries, budget))
        rows["centroid"].append(em.rouge_vs_refs(centroid(t, budget), t.summaries, budget))
        per_ann = [em.rouge_vs_refs(s, t.summaries[:i] + t.summaries[i + 1:], budget)
                   for i, s in enumerate(t.summaries)]
        rows["human"].append(em.macro(per_ann))
    return {k: em.macro(v) for k, v in rows.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", type=Path, help="write benchmark rows to this file")
    ap.add_argument("--embedder", choices=("auto", "hashing"), default="auto",
                    help="auto: the workspace's configured model; hashing: the deterministic fake")
    ap.add_argument("--quick", action="store_true", help="accepted for benchmarks/__main__")
    a = ap.parse_args(argv)
    if not BC3.is_dir():
        print(f"{BC3} is missing", file=sys.stderr)
        return 1
    em = load_evalmetrics()
    threads = load_bc3()
    with tempfile.TemporaryDirectory(prefix="miner-bc3-") as tmp:
        ws = build_workspace(Path(tmp) / "ws", threads)
        if a.embedder == "hashing":
            from miner.nlp import HashingEmbedder

            ws.embedder = HashingEmbedder(dim=256)
        res = run(threads, ws, em)
        ws.close()
    print(f"BC3: {len(threads)} threads, {sum(len(t.summaries) for t in threads)} summaries; "
          "ROUGE F1 (mean over references, macro over threads)")
    print(f"{'system':14s} {'ROUGE-1':>8s} {'ROUGE-2':>8s} {'ROUGE-L':>8s}")
    names = {"miner": "miner", "lead": "lead", "centroid": "tfidf-centroid",
             "human": "human ceiling"}
    for k in ("miner", "lead", "centroid", "human"):
        r = res[k]
        print(f"{names[k]:14s} {r['R1_MEAN']:8.2f} {r['R2_MEAN']:8.2f} {r['RL_MEAN']:8.2f}")
    beats = all(res["miner"][m] > max(res["lead"][m], res["centroid"][m])
                for m in ("R2_MEAN", "RL_MEAN"))
    print("miner beats both baselines on ROUGE-2 and ROUGE-L:", "yes" if beats else "NO")
    if a.json:
        rows = []
        for k in ("miner", "lead", "centroid", "human"):
            for m, label in (("R1_MEAN", "ROUGE-1"), ("R2_MEAN", "ROUGE-2"), ("RL_MEAN", "ROUGE-L")):
                target = (f"> {max(res['lead'][m], res['centroid'][m]):.2f}"
                          if k == "miner" and m != "R1_MEAN" else None)
                rows.append({"benchmark": "summary", "metric": f"bc3 {names[k]} {label} F1",
                             "value": round(res[k][m], 2), "unit": "F1", "target": target,
                             "pass": (res[k][m] > max(res["lead"][m], res["centroid"][m]))
                             if target else None})
        a.json.write_text(json.dumps(rows, indent=1))
    return 0 if beats else 1


if __name__ == "__main__":
    sys.exit(main())
