"""`miner people`: list people, and force or undo identity merges."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from miner.cli._common import JsonOpt, WorkspaceOpt, emit_json, err, open_workspace, run


def register(app: typer.Typer) -> None:
    people_app = typer.Typer(help="People: one per human, whatever their addresses.",
                             invoke_without_command=True)
    app.add_typer(people_app, name="people")

    @people_app.callback()
    @run
    def people_list(
        ctx: typer.Context,
        limit: int = typer.Option(50, "--limit", help="Show at most this many (0: all)."),
        query: Optional[str] = typer.Option(None, "--find", help="Only names or addresses "
                                            "containing this."),
        why: Optional[int] = typer.Option(None, "--why", help="Show why this person's "
                                          "aliases were merged."),
        workspace: Optional[Path] = WorkspaceOpt,
        json: bool = JsonOpt,
    ) -> None:
        """List people with their addresses, affiliation and message counts.

        Example: miner people --find viechtbauer --json
        """
        if ctx.invoked_subcommand is not None:
            return
        from miner.identity import list_people, merge_log

        ws = open_workspace(workspace)
        if why is not None:
            rows = merge_log(ws.db, why)
            if json:
                emit_json([{"a": a, "b": b, "reason": r} for a, b, r in rows])
            for a, b, r in rows:
                typer.echo(f"{a}  ==  {b}   ({r})")
            return
        people = list_people(ws.db, limit=limit, query=query)
        if json:
            emit_json([{
                "person_id": p.person_id, "name": p.name, "emails": list(p.emails),
                "names": list(p.names), "organisation": p.organisation, "title": p.title,
                "country": p.country, "messages": p.messages,
            } for p in people])
            return
        for p in people:
            aff = ", ".join(x for x in (p.title, p.organisation, p.country) if x)
            typer.echo(f"{p.person_id:6d}  {p.name[:30]:30s} {p.messages:5d} msgs  "
                       f"{len(p.emails)} address(es)  {aff}")

    @people_app.command("merge")
    @run
    def merge_cmd(a: int = typer.Argument(..., help="A person id."),
                  b: int = typer.Argument(..., help="Another person id."),
                  workspace: Optional[Path] = WorkspaceOpt) -> None:
        """Force two people to be one (kept across later ingests).

        Example: miner people merge 12 57
        """
        from miner.identity import merge_people

        ws = open_workspace(workspace)
        n = merge_people(ws, a, b)
        err(f"merged {a} and {b}; {n} people now")

    @people_app.command("split")
    @run
    def split_cmd(person: int = typer.Argument(..., help="A person id."),
                  emails: Optional[List[str]] = typer.Argument(
                      None, help="Addresses to detach (default: all of them)."),
                  workspace: Optional[Path] = WorkspaceOpt) -> None:
        """Undo a merge: detach addresses from a person (kept across later ingests).

        Example: miner people split 12 ana.lopez@example.org
        """
        from miner.identity import split_person

        ws = open_workspace(workspace)
        n = split_person(ws, person, emails or None)
        err(f"split person {person}; {n} people now")
