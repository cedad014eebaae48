"""`miner analyze`: run the NLP stages (embeddings, topics, problems, practices, experts)."""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import List, Optional

import typer

from miner.cli._common import JsonOpt, WorkspaceOpt, emit_json, err, run


def stage_progress():
    """A progress callback that draws one line per stage on stderr, with an ETA."""
    state: dict = {}
    tty = sys.stderr.isatty()

    def tick(label: str, done: int, total: int) -> None:
        now = time.monotonic()
        st = state.setdefault(label, {"t0": now, "last": 0.0})
        if now - st["last"] < (0.25 if tty else 10.0) and done < total:
            return
        st["last"] = now
        elapsed = now - st["t0"]
        eta = ""
        if total and done:
            eta = f", about {elapsed / done * (total - done):,.0f}s left"
        line = f"{label}: {done:,}/{total:,}{eta}" if total else f"{label}: {done:,}"
        sys.stderr.write(("\r" + line + ("\n" if done >= total else "")) if tty else line + "\n")
        sys.stderr.flush()

    return tick


def register(app: typer.Typer) -> None:
    @app.command("analyze")
    @run
    def analyze_cmd(
        stages: Optional[List[str]] = typer.Argument(
            None, help="Stages to run (default: all): embeddings topics problems practices experts."),
        mode: Optional[str] = typer.Option(None, "--mode", help="fast or quality (a setting)."),
        workspace: Optional[Path] = WorkspaceOpt,
        json: bool = JsonOpt,
    ) -> None:
        """Run the analysis stages; incremental: only new messages are processed again.

        Example: miner analyze            (all stages)

        Example: miner analyze embeddings topics --mode fast
        """
        from miner.pipeline import run_stages
        from miner.workspace import Workspace
        from miner.cli._common import workspace_path

        overrides = {"mode": mode} if mode else None
        ws = Workspace.open(workspace_path(workspace), overrides=overrides)
        report = run_stages(ws, stages or (), progress=stage_progress())
        if json:
            emit_json(report)
            return
        for name, r in report["stages"].items():
            summary = ", ".join(f"{k}={v}" for k, v in r.items() if not isinstance(v, (list, dict)))
            err(f"{name}: {summary}")
