"""`miner threads`, `miner stats`, `miner export messages`: look at the stored corpus."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from miner.cli._common import JsonOpt, WorkspaceOpt, emit_json, err, open_workspace, run
from miner.errors import MinerError


def register(app: typer.Typer) -> None:
    @app.command("threads")
    @run
    def threads_cmd(
        list_name: Optional[str] = typer.Option(None, "--list", help="Only this list."),
        order: str = typer.Option("start", "--order", help="start, messages or recent."),
        limit: int = typer.Option(0, "--limit", help="Show at most this many (0: all)."),
        workspace: Optional[Path] = WorkspaceOpt,
        json: bool = JsonOpt,
    ) -> None:
        """List threads with their dates, size and participants.

        Example: miner threads --order messages --limit 10
        """
        from miner.store.queries import list_threads

        if order not in ("start", "messages", "recent"):
            raise typer.BadParameter("--order must be start, messages or recent")
        ws = open_workspace(workspace)
        threads = list_threads(ws.db, list_name=list_name, order=order)
        if limit:
            threads = threads[:limit]
        if json:
            emit_json([{
                "thread_id": t.thread_id, "subject": t.subject,
                "start": t.start.isoformat() if t.start else None,
                "end": t.end.isoformat() if t.end else None, "messages": t.messages,
                "participants": t.participants, "root_message_id": t.root_message_id,
            } for t in threads])
            return
        for t in threads:
            day = t.start.date().isoformat() if t.start else "????-??-??"
            typer.echo(f"{t.thread_id}  {day}  {t.messages:4d} msgs  {t.participants:3d} people  "
                       f"{t.subject[:70]}")

    @app.command("stats")
    @run
    def stats_cmd(workspace: Optional[Path] = WorkspaceOpt, json: bool = JsonOpt) -> None:
        """Counts of what the workspace holds (messages, threads, people, lists, dates).

        Example: miner stats --json
        """
        from miner.store.queries import stats

        ws = open_workspace(workspace)
        s = stats(ws.db)
        if json:
            emit_json(s)
            return
        for k, v in s.items():
            typer.echo(f"{k:12s} {v}")

    export_app = typer.Typer(help="Export what the workspace holds.", no_args_is_help=True)
    app.add_typer(export_app, name="export")

    @export_app.command("messages")
    @run
    def export_messages(
        format: str = typer.Option("jsonl", "--format", help="jsonl, csv or mbox."),
        output: Optional[Path] = typer.Option(None, "-o", "--output",
                                              help="File to write (default: stdout)."),
        list_name: Optional[str] = typer.Option(None, "--list", help="Only this list."),
        workspace: Optional[Path] = WorkspaceOpt,
        json: bool = JsonOpt,
    ) -> None:
        """Every message with its cleaning, threading and identity.

        Example: miner export messages --format csv -o messages.csv
        """
        from miner.export.messages import message_rows, write_csv, write_jsonl, write_mbox

        if format not in ("jsonl", "csv", "mbox"):
            raise MinerError(f"unknown export format {format!r}; choose jsonl, csv or mbox")
        ws = open_workspace(workspace)
        if format == "mbox":
            if output is None:
                n = write_mbox(ws.db, sys.stdout.buffer, list_name=list_name)
            else:
                with open(output, "wb") as f:
                    n = write_mbox(ws.db, f, list_name=list_name)
        else:
            writer = write_jsonl if format == "jsonl" else write_csv
            rows = message_rows(ws.db, list_name=list_name)
            if output is None:
                n = writer(rows, sys.stdout)
            else:
                with open(output, "w", encoding="utf-8", newline="") as f:
                    n = writer(rows, f)
        if output is not None:
            err(f"wrote {n:,} messages to {output}")
