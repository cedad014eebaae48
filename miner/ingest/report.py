"""Progress display and the human-readable ingest report (used by the CLI and the demo)."""
from __future__ import annotations

import sys
import time

from miner.types import IngestReport


def ingest_with_progress(ws, sources, **kwargs) -> IngestReport:
    """Run :func:`miner.ingest.run.ingest` with a progress line on stderr."""
    state = {"n": 0, "t0": time.monotonic(), "last": 0.0}
    tty = sys.stderr.isatty()

    def tick(event: str, n: int) -> None:
        if event == "item":
            state["n"] += n
            now = time.monotonic()
            if now - state["last"] >= (0.2 if tty else 5.0):
                state["last"] = now
                rate = state["n"] / max(now - state["t0"], 1e-6)
                line = f"ingest: {state['n']:,} messages read ({rate:,.0f}/s)"
                sys.stderr.write(("\r" + line) if tty else (line + "\n"))
                sys.stderr.flush()
        elif event.startswith("phase:"):
            line = f"ingest: {state['n']:,} messages read; {event[6:]}..."
            sys.stderr.write(("\r" + line + "\n") if tty else (line + "\n"))
            sys.stderr.flush()

    return ws.ingest(sources, progress=tick, **kwargs)


def format_report(r: IngestReport) -> str:
    lines = [
        f"ingested {len(r.sources)} source(s): {r.messages_seen:,} messages seen, "
        f"{r.added:,} added, {r.duplicates:,} duplicates, {r.repaired:,} repaired, "
        f"{r.quarantined:,} quarantined; {r.threads:,} threads, {r.people:,} people in the workspace"
    ]
    if r.per_source and len(r.per_source) > 1:
        for name, c in list(r.per_source.items())[:20]:
            lines.append(f"  {name}: {c['seen']} seen, {c['added']} added, "
                         f"{c['duplicates']} dup, {c['quarantined']} quarantined")
        if len(r.per_source) > 20:
            lines.append(f"  ... and {len(r.per_source) - 20} more sources")
    if r.errors:
        lines.append("problems (first ones):")
        for e in r.errors[:10]:
            where = f"{e.source} {e.where}".strip()
            lines.append(f"  {where}: {e.error}")
    return "\n".join(lines)
