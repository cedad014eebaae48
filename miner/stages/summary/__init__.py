"""The facilitator's deliverable: a consolidated reply of a closed e-discussion.

Extractive by design: every point is a sentence of a response, attributed and linked to its
message, and :func:`summarize` checks that each one exists verbatim in the cited message's new
text before returning (a :class:`VerbatimError` otherwise).

    >>> reply = summarize(ws, "<query-message-id@example.org>")      # doctest: +SKIP
    >>> summarize_to_file(ws, reply.thread_ids[0], "reply.docx")     # doctest: +SKIP
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Sequence

from miner.errors import ConfigError
from miner.stages.summary.edits import apply_edits, load_edits, save_edits
from miner.stages.summary.records import (
    ConsolidatedReply, Contributor, Experience, Point, Query, Related, Resource, Response, Theme,
)
from miner.stages.summary.verbatim import VerbatimError, check_points, verify

__all__ = [
    "FORMATS", "ConsolidatedReply", "Contributor", "Experience", "Point", "Query", "Related",
    "Resource", "Response", "Theme", "VerbatimError", "apply_edits", "check_points",
    "load_edits", "render", "save_edits", "summarize", "summarize_to_file", "verify",
]

FORMATS = ("json", "md", "html", "docx")
_SUFFIX = {".json": "json", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
           ".docx": "docx"}


def summarize(ws, ref_or_refs: str | Sequence[str] | None = None, *,
              subject_pattern: str | None = None, since: str | None = None,
              until: str | None = None, edits: bool = True,
              related: bool = True) -> ConsolidatedReply:
    """The consolidated reply of a discussion.

    ``ref_or_refs``: a thread id or any Message-ID in it, or several; and/or an e-discussion
    spanning threads: ``subject_pattern`` (``*`` wildcards, else a substring of the subject)
    and/or threads starting within ``since``..``until``. Facilitator edits stored for the
    (first) thread are applied unless ``edits`` is false."""
    from miner.stages.summary.build import consolidate, select_threads

    refs = [ref_or_refs] if isinstance(ref_or_refs, str) else list(ref_or_refs or [])
    if not refs and not (subject_pattern or since or until):
        raise ConfigError("give a thread id or Message-ID, or --subject/--since/--until")
    tids = select_threads(ws.db, refs, subject_pattern, since, until)
    reply, summary_points, texts = consolidate(ws, tids, related=related)
    verify(reply.points() + summary_points, texts)
    if edits:
        reply = apply_edits(reply, load_edits(ws, tids[0]))
    return reply


def render(reply: ConsolidatedReply, fmt: str) -> str:
    """The reply as text in ``fmt`` (json, md or html; docx is a file: see summarize_to_file)."""
    if fmt == "json":
        return json.dumps(reply.to_dict(), ensure_ascii=False, indent=1) + "\n"
    if fmt == "md":
        from miner.stages.summary.render_md import render_md

        return render_md(reply)
    if fmt == "html":
        from miner.stages.summary.render_html import render_html

        return render_html(reply)
    raise ConfigError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")


def format_for(path: str | Path, fmt: str | None = None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise ConfigError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
        return fmt
    return _SUFFIX.get(Path(path).suffix.lower(), "docx")


def write_reply(reply: ConsolidatedReply, out_path: str | Path, fmt: str | None = None) -> Path:
    """Write ``reply`` to ``out_path`` atomically (format from ``fmt`` or the file suffix)."""
    out = Path(out_path)
    fmt = format_for(out, fmt)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".reply-", suffix=out.suffix or ".tmp", dir=out.parent)
    os.close(fd)
    try:
        if fmt == "docx":
            from miner.stages.summary.render_docx import render_docx

            render_docx(reply, tmp)
        else:
            Path(tmp).write_text(render(reply, fmt), encoding="utf-8")
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def summarize_to_file(ws, ref: str, out_path: str | Path, fmt: str | None = None) -> Path:
    """Summarize ``ref`` (thread id or Message-ID) and write the reply; returns the path."""
    return write_reply(summarize(ws, ref), out_path, fmt)
