"""`miner summarize` (consolidated reply of a discussion) and `miner report` (moderator's report)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

import typer

from miner.cli._common import JsonOpt, WorkspaceOpt, emit_json, err, open_workspace, run

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(stem: str, suffix: str) -> str:
    """A file name made from a derived string (a thread id, a Message-ID): no separators, no
    leading dot, no '..', bounded length."""
    s = _UNSAFE.sub("-", stem).strip(".-")[:80] or "reply"
    s = s.replace("..", "-")
    return f"{s}.{suffix}"


def _default_out(ws, stem: str, fmt: str) -> Path:
    d = ws.subdir("exports").resolve()
    out = (d / safe_name(stem, fmt)).resolve()
    if out.parent != d:  # cannot happen with safe_name; belt and braces
        raise typer.BadParameter(f"refusing to write outside {d}")
    return out


def register(app: typer.Typer) -> None:
    @app.command("summarize")
    @run
    def summarize_cmd(
        thread: Optional[str] = typer.Argument(
            None, help="A thread id, or the Message-ID of any message in it."),
        fmt: Optional[str] = typer.Option(
            None, "--format", "-f", help="json, md, html or docx (default: from -o's suffix; "
            "else md on stdout)."),
        out: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file."),
        subject: Optional[str] = typer.Option(
            None, "--subject", help="An e-discussion spanning threads: subject pattern "
            "(* wildcards, else a substring)."),
        since: Optional[str] = typer.Option(None, "--since",
                                            help="Threads starting on or after this date."),
        until: Optional[str] = typer.Option(None, "--until",
                                            help="Threads starting on or before this date."),
        workspace: Optional[Path] = WorkspaceOpt,
        json: bool = JsonOpt,
    ) -> None:
        """Draft the consolidated reply of a discussion: the query, contributors, themes with
        attributed points, experiences by country, resources, related discussions and the
        responses in full. Extractive: every point is checked to be verbatim in its message.

        Examples:

          miner summarize '<20211004090000.d23fdcc24247@gpn.example.org>' --format docx -o reply.docx

          miner summarize --subject 'E-Discussion: Strengthening*' --format html -o reply.html

          miner summarize THREAD_ID --json
        """
        from miner.stages.summary import FORMATS, format_for, render, summarize, write_reply

        if json:
            fmt = "json"
        if fmt is not None and fmt not in FORMATS:
            raise typer.BadParameter(f"--format must be one of: {', '.join(FORMATS)}")
        ws = open_workspace(workspace)
        reply = summarize(ws, thread, subject_pattern=subject, since=since, until=until)
        fmt = format_for(out, fmt) if out is not None else (fmt or "md")
        if out is None and fmt == "docx":
            out = _default_out(ws, reply.thread_ids[0], "docx")
        if out is None:
            if fmt == "json":
                emit_json(reply.to_dict())
            else:
                typer.echo(render(reply, fmt), nl=False)
            return
        path = write_reply(reply, out, fmt)
        err(f"wrote {fmt} consolidated reply of {len(reply.thread_ids)} thread(s), "
            f"{len(reply.contributors)} contributors, {len(reply.themes)} themes: {path}")
        for note in reply.notes:
            err(f"note: {note}")

    @app.command("report")
    @run
    def report_cmd(
        since: str = typer.Option(..., "--since", help="First day (YYYY-MM-DD)."),
        until: str = typer.Option(..., "--until", help="Last day, inclusive (YYYY-MM-DD)."),
        list_name: Optional[str] = typer.Option(None, "--list", help="Only this list."),
        fmt: Optional[str] = typer.Option(None, "--format", "-f",
                                          help="md, html, docx or json (default: md)."),
        out: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file."),
        workspace: Optional[Path] = WorkspaceOpt,
        json: bool = JsonOpt,
    ) -> None:
        """The moderator's report for a period: active threads (7+ messages), unanswered posts,
        median time to first answer, new and returning contributors, top topics and new
        recurring problems.

        Examples:

          miner report --since 2021-10-01 --until 2021-12-31

          miner report --since 2021-01-01 --until 2021-12-31 --list gov-cop --format docx -o q.docx
        """
        from miner.stages.report import FORMATS, moderator_report, render_report, write_report

        if json:
            fmt = "json"
        if out is not None and fmt is None:
            fmt = {".html": "html", ".htm": "html", ".docx": "docx",
                   ".json": "json"}.get(out.suffix.lower(), "md")
        fmt = fmt or "md"
        if fmt not in FORMATS:
            raise typer.BadParameter(f"--format must be one of: {', '.join(FORMATS)}")
        ws = open_workspace(workspace)
        r = moderator_report(ws, since, until, list_name)
        if out is None and fmt == "docx":
            out = _default_out(ws, f"report-{list_name or 'all'}-{since}-{until}", "docx")
        if out is None:
            if fmt == "json":
                emit_json(r.to_dict())
            else:
                typer.echo(render_report(r, fmt), nl=False)
            return
        err(f"wrote the moderator's report ({r.messages} messages): {write_report(r, out, fmt)}")
