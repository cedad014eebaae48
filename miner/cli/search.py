"""`miner search` (ranked search over messages or threads) and `miner similar` (more like this)."""
from __future__ import annotations

from pathlib import Path

import typer

from miner.cli._common import JsonOpt, WorkspaceOpt, emit_json, open_workspace, run

_FIELDS = ("message_id", "thread_id", "score", "subject", "author_name", "date", "snippet")
_THREAD_FIELDS = ("start", "end", "messages", "participants", "participant_names")


def _as_json(hit, threads: bool) -> dict:
    out = {f: getattr(hit, f) for f in _FIELDS}
    out["highlights"] = [list(h) for h in hit.highlights]
    out["list"] = hit.list
    if threads:
        out.update({f: getattr(hit, f) for f in _THREAD_FIELDS})
    return out


def _print(hits, threads: bool) -> None:
    if not hits:
        typer.echo("no results", err=True)
        return
    for n, h in enumerate(hits, 1):
        when = h.date.date().isoformat() if h.date else "undated"
        typer.echo(f"{n:>2}. [{h.score:.3f}] {h.subject or '(no subject)'}")
        if threads:
            span = " to ".join(d.date().isoformat() for d in (h.start, h.end) if d)
            names = ", ".join(h.participant_names[:5])
            typer.echo(f"    thread {h.thread_id} · {h.messages or 0} messages · {span}")
            typer.echo(f"    participants: {names}")
            typer.echo(f"    best: {h.author_name}, {when} · {h.message_id}")
        else:
            typer.echo(f"    {h.author_name}, {when} · {h.message_id} · thread {h.thread_id}")
        typer.echo(f"    {h.highlighted()}")
        typer.echo("")


def register(app: typer.Typer) -> None:
    @app.command("search")
    @run
    def search_cmd(
        query: str = typer.Argument(..., help="What to look for, in your own words."),
        k: int = typer.Option(10, "--k", "-k", help="How many results."),
        list_name: str | None = typer.Option(None, "--list", help="Only this list."),
        since: str | None = typer.Option(None, "--since", help="From this date (YYYY[-MM[-DD]])."),
        until: str | None = typer.Option(None, "--until", help="Up to this date, inclusive."),
        author: str | None = typer.Option(None, "--author",
                                             help="A person: name or e-mail substring, or id."),
        threads: bool = typer.Option(False, "--threads", help="Rank whole threads."),
        mode: str = typer.Option("hybrid", "--mode", help="hybrid, semantic or keyword."),
        workspace: Path | None = WorkspaceOpt,
        json: bool = JsonOpt,
    ) -> None:
        """Search past discussions by meaning and by words (hybrid ranking).

        Example: miner search 'youth participation in elections' --threads --since 2019

        Example: miner search "budget portal" --mode keyword --author alice --json
        """
        from miner.stages.search import search

        ws = open_workspace(workspace)
        hits = search(ws, query, k=k, mode=mode, list_name=list_name, since=since, until=until,
                      author=author, threads=threads)
        if json:
            emit_json([_as_json(h, threads) for h in hits])
        else:
            _print(hits, threads)

    @app.command("similar")
    @run
    def similar_cmd(
        ref: str = typer.Argument(..., help="A Message-ID or a thread id."),
        k: int = typer.Option(10, "--k", "-k", help="How many results."),
        workspace: Path | None = WorkspaceOpt,
        json: bool = JsonOpt,
    ) -> None:
        """More like this: messages like a message (from other threads), or threads like a thread.

        Example: miner similar '<CAF123@mail.example.org>'

        Example: miner similar 3f2a9c0d --json
        """
        from miner.stages.search import similar

        is_thread, hits = similar(open_workspace(workspace), ref, k=k)
        if json:
            emit_json([_as_json(h, is_thread) for h in hits])
        else:
            _print(hits, is_thread)
