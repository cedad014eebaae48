"""The demo: build a workspace from the illustrative corpus in ``corpora/demo``, run every
available stage, write the consolidated reply of its moderated e-discussion, and describe
what is there.
"""
from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

from miner.errors import MinerError, SourceError

log = logging.getLogger(__name__)


def demo_corpus_dir() -> Path:
    """``corpora/demo`` of the checkout miner runs from."""
    here = Path(__file__).resolve().parent.parent / "corpora" / "demo"
    if here.is_dir():
        return here
    cwd = Path.cwd() / "corpora" / "demo"
    if cwd.is_dir():
        return cwd
    raise SourceError(
        f"the demo corpus is not at {here}; run 'miner demo' from a checkout of miner "
        "(or pass --corpus DIR)"
    )


def demo_sources(corpus: Path) -> list[str]:
    sources = sorted(str(p) for p in corpus.glob("*.mbox"))
    sources += sorted(str(p) for p in (corpus / "pipermail").glob("*.txt.gz"))
    if not sources:
        raise SourceError(f"no .mbox or pipermail/*.txt.gz files in {corpus}; rebuild the demo "
                          "corpus with 'python corpora/demo/build_demo.py'")
    return sources


def pick_discussion(conn) -> str | None:
    """The demo's moderated e-discussion: the thread with the most distinct participants."""
    row = conn.execute("SELECT thread_id FROM threads ORDER BY participants DESC, messages DESC "
                       "LIMIT 1").fetchone()
    return row[0] if row else None


def tour(conn) -> list[str]:
    from miner.store.queries import list_threads, stats

    s = stats(conn)
    lines = [
        f"The workspace holds {s['messages']} messages in {s['threads']} threads from "
        f"{s['people']} people ({s['first_date'][:10] if s['first_date'] else '?'} to "
        f"{s['last_date'][:10] if s['last_date'] else '?'}); languages: "
        + ", ".join(f"{k} {v}" for k, v in s["languages"].items()),
        "Largest threads:",
    ]
    for t in list_threads(conn, order="messages")[:5]:
        lines.append(f"  {t.thread_id}  {t.messages:3d} messages, {t.participants:2d} people  "
                     f"{t.subject[:60]}")
    lines.append("Most active people:")
    for name, org, country, n in conn.execute(
        "SELECT name, organisation, country, messages FROM people ORDER BY messages DESC LIMIT 5"
    ):
        extra = ", ".join(x for x in (org, country) if x)
        lines.append(f"  {name} ({extra})  {n} messages" if extra else f"  {name}  {n} messages")
    return lines


def run_demo(ws, *, corpus: Path | None = None, ingest_progress=None, stage_progress=None,
             out_dir: Path | None = None) -> dict:
    """Ingest the demo corpus, run the stages, write the consolidated reply; return a report."""
    from miner.ingest.report import ingest_with_progress

    corpus = corpus or demo_corpus_dir()
    report: dict = {"workspace": str(ws.path)}
    ing = ingest_with_progress(ws, demo_sources(corpus)) if ingest_progress is None else \
        ws.ingest(demo_sources(corpus), progress=ingest_progress)
    report["ingest"] = ing.as_dict()
    from miner.pipeline import ORDER, run_stages

    available = [s for s in ORDER if importlib.util.find_spec(f"miner.stages.{s}") is not None]
    report["stages"] = run_stages(ws, available, progress=stage_progress)["stages"] \
        if available else {}
    tid = pick_discussion(ws.db)
    report["discussion"] = tid
    if tid and importlib.util.find_spec("miner.stages.summary") is not None:
        try:
            from miner.stages.summary import summarize_to_file

            out = (out_dir or ws.path) / "consolidated-reply.docx"
            report["consolidated_reply"] = str(summarize_to_file(ws, tid, out))
        except MinerError as e:  # the demo goes on; the report says what failed
            report["consolidated_reply_error"] = str(e)
    report["tour"] = tour(ws.db)
    return report
