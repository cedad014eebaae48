"""r-sig-meta-analysis "asked before" links: messages pointing to an earlier archived thread.

A link ``pipermail/r-sig-meta-analysis/YYYY-Month/NNNNNN.html`` names the NNNNNN-th message of
the whole archive in pipermail's global numbering (0-based, months in order, each month file in
file order). Checked on 2026-11-29 only mechanically: with that numbering every link target
falls inside its own month's range of numbers (the test asserts it); a per-month numbering
cannot be right (numbers reach the thousands while a month holds at most ~200 messages). No
target was opened by hand yet.

Also the one cached r-sig-meta-analysis workspace (static model, fast mode) that the slow
quality tests of problems and topics share: :func:`rsig_workspace`."""
from __future__ import annotations

import calendar
import hashlib
import os
import re
from pathlib import Path

LINK = re.compile(r"pipermail/r-sig-meta-analysis/(\d{4})-([A-Za-z]+)/(\d{6})\.html")
_FROM = re.compile(rb"^From \S+.*\d{4}\s*$")
_MONTHS = {m: i for i, m in enumerate(calendar.month_name) if m}
CACHE = Path(os.environ.get("MINER_TEST_CACHE", "/tmp/miner-tests"))
OVERRIDES = {"mode": "fast", "embedding_model": "static"}


def rsig_workspace(corpora: Path):
    """The r-sig-meta-analysis workspace cached in ``$MINER_TEST_CACHE/rsig-static`` (default
    /tmp/miner-tests): ingested on first use (a ``.ready`` file marks a finished ingest), its
    static embeddings brought up to date (nothing to do once cached). The caller closes it."""
    from miner.pipeline import run_stages
    from miner.workspace import Workspace

    path = CACHE / "rsig-static"
    ready = path / ".ready"
    ws = Workspace.open(path, create=True, overrides=OVERRIDES)
    if not ready.exists():
        ws.ingest([str(corpora / "r-sig-meta-analysis" / "raw")], list_name="r-sig-meta-analysis")
        ready.write_text("ok\n")
    run_stages(ws, ["embeddings"])
    return ws


def month_files(raw: Path) -> list[Path]:
    return sorted(raw.glob("*.mbox"), key=lambda p: (int(p.stem[:4]), _MONTHS[p.stem[5:]]))


def numbering(raw: Path) -> tuple[list[str | None], dict[str, tuple[int, int]]]:
    """(Message-ID of each global number, {"YYYY-Month": (first, last) number})."""
    seq: list[str | None] = []
    ranges = {}
    for f in month_files(raw):
        first = len(seq)
        in_headers = False
        for line in f.read_bytes().split(b"\n"):
            if _FROM.match(line):
                seq.append(None)
                in_headers = True
            elif in_headers:
                if not line.strip():
                    in_headers = False
                elif line.lower().startswith(b"message-id:") and seq:
                    seq[-1] = line.split(b":", 1)[1].strip().strip(b"<>").decode("ascii",
                                                                                  "replace")
        ranges[f.stem] = (first, len(seq) - 1)
    return seq, ranges


def links(ws, raw: Path) -> tuple[list[tuple[str, str]], int]:
    """([(linking message id, target thread id)] for targets in another thread, number of link
    targets outside their month's range)."""
    seq, ranges = numbering(raw)
    thread_of = dict(ws.db.execute("SELECT message_id, thread_id FROM messages"))
    out, outside = set(), 0
    for mid, tid, body in ws.db.execute(
            "SELECT message_id, thread_id, body FROM messages WHERE body LIKE "
            "'%pipermail/r-sig-meta-analysis/%'"):
        for m in LINK.finditer(body or ""):
            n, month = int(m.group(3)), f"{m.group(1)}-{m.group(2)}"
            lo, hi = ranges.get(month, (-1, -1))
            outside += not lo <= n <= hi
            target = seq[n] if n < len(seq) else None
            t = thread_of.get(target) if target else None
            if t and t != tid:
                out.add((mid, t))
    return sorted(out), outside


def tuning_half(message_id: str) -> bool:
    """The half of the links (by a hash of the linking message id) allowed for tuning."""
    return int(hashlib.md5(message_id.encode()).hexdigest()[:8], 16) % 2 == 0
