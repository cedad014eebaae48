"""`miner ingest`: add archives to the workspace."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from miner.cli._common import JsonOpt, WorkspaceOpt, emit_json, err, open_workspace, run


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    @run
    def ingest_cmd(
        sources: List[str] = typer.Argument(..., help="Files, folders, globs or URLs."),
        list_name: Optional[str] = typer.Option(None, "--list", help="List name for messages "
                                                "that do not say which list they came from."),
        strict: bool = typer.Option(False, "--strict", help="Stop at the first message that "
                                    "cannot be fully parsed instead of quarantining it."),
        format: Optional[str] = typer.Option(None, "--format", help="Skip detection and read "
                                             "every source as this format."),
        map: Optional[str] = typer.Option(None, "--map", help="Column mapping for tables "
                                          "(CSV/JSON/Parquet), e.g. subject=title,body=text; "
                                          "common column names are found without it."),
        workspace: Optional[Path] = WorkspaceOpt,
        json: bool = JsonOpt,
    ) -> None:
        """Add archives (mbox, Maildir, .eml, pipermail .txt/.txt.gz, ...) to the workspace.

        Idempotent and incremental: running it twice adds nothing; a newer archive adds only
        its new messages.

        Example: miner ingest archive.mbox 'pipermail/*.txt.gz' --list gov-cop
        """
        from miner.ingest.report import format_report, ingest_with_progress

        ws = open_workspace(workspace, create=True)
        report = ingest_with_progress(ws, sources, list_name=list_name, strict=strict,
                                      format=format, options={"map": map} if map else None)
        if json:
            emit_json(report.as_dict())
        else:
            err(format_report(report))
