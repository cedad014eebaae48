"""`miner topics` (list, rename, merge) and `miner problems`: thin commands over the stages."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from miner.cli._common import JsonOpt, WorkspaceOpt, emit_json, open_workspace, run


def register(app: typer.Typer) -> None:
    topics_app = typer.Typer(
        help="Topics found by 'miner analyze topics'.\n\nExamples:\n\n  miner topics --json\n\n"
             "  miner topics rename 3 'publication bias'\n\n  miner topics merge 3 7 12",
        invoke_without_command=True, no_args_is_help=False)

    @topics_app.callback()
    @run
    def topics(ctx: typer.Context, workspace: Optional[Path] = WorkspaceOpt,
               json_: bool = JsonOpt) -> None:
        """List the topics, biggest first."""
        if ctx.invoked_subcommand is not None:
            return
        from miner.stages.topics import list_topics

        ws = open_workspace(workspace)
        rows = [t.as_dict() for t in list_topics(ws)]
        if json_:
            emit_json(rows)
            return
        if not rows:
            typer.echo("no topics yet; run 'miner analyze topics'")
        for t in rows:
            typer.echo(f"{t['topic_id']:>4}  {t['size']:>5} msgs  {t['threads']:>4} threads  "
                       f"{t['label']}")

    @topics_app.command("rename")
    @run
    def rename(topic_id: int = typer.Argument(..., help="Topic id (from 'miner topics')."),
               label: str = typer.Argument(..., help="The new label."),
               workspace: Optional[Path] = WorkspaceOpt, json_: bool = JsonOpt) -> None:
        """Rename a topic; the name survives re-runs. Example: miner topics rename 3 'bias'"""
        from miner.stages.topics import rename_topic

        t = rename_topic(open_workspace(workspace), topic_id, label)
        emit_json(t.as_dict()) if json_ else typer.echo(f"topic {t.topic_id}: {t.label}")

    @topics_app.command("merge")
    @run
    def merge(ids: List[int] = typer.Argument(..., help="Topic ids; the first one is kept."),
              workspace: Optional[Path] = WorkspaceOpt, json_: bool = JsonOpt) -> None:
        """Merge topics into the first id; replayed after re-runs. Example: miner topics merge 3 7"""
        from miner.stages.topics import merge_topics

        t = merge_topics(open_workspace(workspace), ids)
        emit_json(t.as_dict()) if json_ else typer.echo(
            f"topic {t.topic_id}: {t.label} ({t.size} messages)")

    app.add_typer(topics_app, name="topics")

    @app.command("problems")
    @run
    def problems(workspace: Optional[Path] = WorkspaceOpt, json_: bool = JsonOpt,
                 min_threads: int = typer.Option(2, help="Asked in at least this many threads.")
                 ) -> None:
        """Recurring problems: questions asked again across threads, with their best answers.

        Example: miner problems --json"""
        from miner.stages.problems import list_problems

        rows = [p.as_dict() for p in list_problems(open_workspace(workspace),
                                                   min_threads=min_threads)]
        if json_:
            emit_json(rows)
            return
        if not rows:
            typer.echo("no recurring problems yet; run 'miner analyze problems'")
        for p in rows:
            typer.echo(f"{p['problem_id']:>4}  asked {p['count']}x  {p['first_seen'] or '?'}"
                       f"..{p['last_seen'] or '?'}  {p['question'][:90]}")
