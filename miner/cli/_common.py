"""Pieces every CLI command shares: the workspace and --json options, output, error handling.

Commands stay thin: parse, call one library function, print. Library code raises
:class:`miner.errors.MinerError`; :func:`run` turns it into a one-line message and exit 1.
"""
from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

import typer

from miner.errors import MinerError

WorkspaceOpt = typer.Option(
    None,
    "--workspace",
    "-w",
    help="Workspace folder (default: $MINER_WORKSPACE, else ./miner-workspace).",
    show_default=False,
)
JsonOpt = typer.Option(False, "--json", help="Print exactly one JSON document on stdout.")


def workspace_path(value: Path | None) -> Path:
    if value is not None:
        return Path(value)
    return Path(os.environ.get("MINER_WORKSPACE") or "miner-workspace")


def open_workspace(value: Path | None, *, create: bool = False):
    from miner.workspace import Workspace

    return Workspace.open(workspace_path(value), create=create)


def _default(o: Any) -> Any:
    if hasattr(o, "isoformat"):
        return o.isoformat()
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    if hasattr(o, "__dataclass_fields__"):
        import dataclasses

        return dataclasses.asdict(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def emit_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=_default))
    sys.stdout.write("\n")
    sys.stdout.flush()


def emit_jsonl(rows) -> None:
    for row in rows:
        sys.stdout.write(json.dumps(row, ensure_ascii=False, default=_default))
        sys.stdout.write("\n")
    sys.stdout.flush()


def err(msg: str) -> None:
    """A line for humans on stderr (progress, reports); never on stdout."""
    typer.echo(msg, err=True)


def run(fn: Callable) -> Callable:
    """Decorator: turn MinerError into a one-line message on stderr and exit code 1."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except MinerError as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None

    return wrapper
