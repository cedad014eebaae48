"""``miner practices`` and ``miner experts``: lesson cards and the people who know."""
from __future__ import annotations

from pathlib import Path

import typer

from miner.cli._common import JsonOpt, WorkspaceOpt, emit_json, open_workspace, run


def register(app: typer.Typer) -> None:
    @app.command("practices")
    @run
    def practices(
        kind: str = typer.Option(None, "--kind", help="good_practice, lesson, recommendation, "
                                 "experience, challenge or resource."),
        topic: int = typer.Option(None, "--topic", help="Only cards on this topic id."),
        country: str = typer.Option(None, "--country", help="Only cards naming this country "
                                    "(or by someone from it)."),
        person: str = typer.Option(None, "--person", help="Person id or part of a name."),
        workspace: Path = WorkspaceOpt,
        as_json: bool = JsonOpt,
    ) -> None:
        """Good-practice and lesson mentions as cited cards.

        Example: miner practices --kind lesson --country Kenya --json
        """
        from miner.stages.practices import list_practices

        with open_workspace(workspace) as ws:
            cards = list_practices(ws, kind=kind, topic=topic, country=country, person=person)
        if as_json:
            emit_json([c.as_dict() for c in cards])
            return
        for c in cards:
            typer.echo(f"[{c.kind}] {' '.join(c.text.split())}")
            typer.echo(f"    {c.author_name}, {(c.date or '')[:10]}, <{c.message_id}>"
                       + (f", {len(c.sources)} sources" if len(c.sources) > 1 else ""))

    @app.command("experts")
    @run
    def experts(
        topic: int = typer.Option(None, "--topic", help="Experts on this topic id."),
        for_text: str = typer.Option(None, "--for", help="A new question: who could answer it?"),
        before: str = typer.Option(None, "--before", help="Use only messages dated before DATE "
                                   "(YYYY-MM-DD)."),
        limit: int = typer.Option(20, "--limit", help="How many people."),
        workspace: Path = WorkspaceOpt,
        as_json: bool = JsonOpt,
    ) -> None:
        """People ranked by expertise shown in their answers, with evidence.

        Example: miner experts --for "How do I fit a three-level model?" --before 2022-01-01
        """
        from miner.stages.experts import list_experts, who_could_answer

        with open_workspace(workspace) as ws:
            if for_text:
                people = who_could_answer(ws, for_text, before=before, k=limit)
            else:
                people = list_experts(ws, topic=topic, limit=limit, before=before)
        if as_json:
            emit_json([p.as_dict() for p in people])
            return
        for p in people:
            typer.echo(f"{p.score:8.3f}  {p.name}  ({p.answers} answers in {p.threads} threads; "
                       f"topics {', '.join(map(str, p.topics)) or '-'})")
