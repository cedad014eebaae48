"""`miner demo` and `miner app`."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Optional

import typer

from miner.cli._common import JsonOpt, WorkspaceOpt, emit_json, err, open_workspace, run, workspace_path


def _serve(ws_path: Path, port: int, address: str) -> None:
    import importlib.util

    if importlib.util.find_spec("streamlit") is None:
        from miner.errors import MissingDependencyError

        raise MissingDependencyError("streamlit", "app")
    app_py = Path(__file__).resolve().parent.parent.parent / "app.py"
    if not app_py.exists():
        from miner.errors import MinerError

        raise MinerError(f"app.py is not at {app_py}; run miner from a checkout of the project")
    err(f"serving the app at http://{address}:{port}/  (Ctrl+C stops it)")
    cmd = [sys.executable, "-m", "streamlit", "run", str(app_py), "--server.headless", "true",
           "--server.address", address, "--server.port", str(port),
           "--browser.gatherUsageStats", "false", "--", "--workspace", str(ws_path)]
    try:
        subprocess.run(cmd, check=False)
    except KeyboardInterrupt:
        pass


def register(app: typer.Typer) -> None:
    @app.command("demo")
    @run
    def demo_cmd(
        corpus: Optional[Path] = typer.Option(None, "--corpus", help="Demo corpus folder "
                                              "(default: corpora/demo of this checkout)."),
        no_app: bool = typer.Option(False, "--no-app", help="Do not start the app at the end."),
        port: int = typer.Option(8501, "--port", help="Port of the app."),
        workspace: Optional[Path] = WorkspaceOpt,
        json: bool = JsonOpt,
    ) -> None:
        """Build a workspace from the demo corpus, run every stage, write a consolidated reply,
        and start the app.

        Example: miner demo --no-app --json
        """
        from miner.cli.analyze import stage_progress
        from miner.demo import run_demo

        ws = open_workspace(workspace, create=True)
        report = run_demo(ws, stage_progress=stage_progress())
        if json:
            emit_json(report)
        else:
            from miner.ingest.report import format_report
            from miner.types import IngestReport

            r = report["ingest"]
            ir = IngestReport(**{k: v for k, v in r.items() if k not in ("errors",)})
            err(format_report(ir))
            for name, s in report["stages"].items():
                err(f"stage {name}: " + ", ".join(
                    f"{k}={v}" for k, v in s.items() if not isinstance(v, (list, dict))))
            for line in report["tour"]:
                err(line)
            if report.get("consolidated_reply"):
                err(f"consolidated reply of the moderated e-discussion: {report['consolidated_reply']}")
        ws.close()
        if not no_app:
            _serve(workspace_path(workspace), port, "127.0.0.1")

    @app.command("app")
    @run
    def app_cmd(
        port: int = typer.Option(8501, "--port", help="Port to serve on."),
        address: str = typer.Option("127.0.0.1", "--address", help="Address to bind."),
        workspace: Optional[Path] = WorkspaceOpt,
    ) -> None:
        """Start the Streamlit app on the workspace.

        Example: miner app --port 8502
        """
        open_workspace(workspace).close()
        _serve(workspace_path(workspace), port, address)
