"""Runs the analysis stages in order, checking what each requires before it runs.

A stage is a module ``miner.stages.<name>`` that defines:

* ``REQUIRES``: names of stages whose output it reads (beyond the corpus itself);
* ``WRITES``: the tables it owns;
* ``run(ws, progress) -> dict``: does the work incrementally and returns its report.

Stages import their heavy libraries inside ``run``, so importing this module is cheap.
"""
from __future__ import annotations

import importlib
import json
import time
from datetime import datetime, timezone
from typing import Callable, Sequence

from miner.errors import StageError

ORDER = ("embeddings", "topics", "problems", "practices", "experts")

Progress = Callable[[str, int, int], None]  # (label, done, total)


def stage_module(name: str):
    if name not in ORDER:
        raise StageError(f"unknown stage {name!r}; the stages are: {', '.join(ORDER)}")
    try:
        return importlib.import_module(f"miner.stages.{name}")
    except ModuleNotFoundError as e:
        if e.name == f"miner.stages.{name}":
            raise StageError(f"stage {name!r} is not available in this version of miner") from None
        raise


def completed(ws, name: str) -> bool:
    row = ws.db.execute("SELECT 1 FROM runs WHERE stage=? AND status='done' LIMIT 1",
                        (name,)).fetchone()
    return row is not None


def run_stages(ws, stages: Sequence[str] = (), *, progress: Progress | None = None) -> dict:
    """Run ``stages`` (default: all, in order) and return ``{"stages": {name: report}}``."""
    wanted = list(stages) or list(ORDER)
    for name in wanted:
        stage_module(name)  # validates the name early
    ordered = [s for s in ORDER if s in wanted]
    tick = progress or (lambda label, done, total: None)
    out: dict = {"stages": {}}
    for name in ordered:
        mod = stage_module(name)
        missing = [r for r in getattr(mod, "REQUIRES", ()) if r not in ordered and not completed(ws, r)]
        if missing:
            raise StageError(
                f"stage {name!r} needs {', '.join(missing)} first; run 'miner analyze "
                f"{' '.join(missing)} {name}'"
            )
        started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        cur = ws.db.execute("INSERT INTO runs(stage, started, status) VALUES (?, ?, 'running')",
                            (name, started))
        run_id = cur.lastrowid
        ws.db.commit()
        t0 = time.monotonic()
        try:
            report = mod.run(ws, lambda done, total, _n=name: tick(_n, done, total)) or {}
        except Exception as e:
            ws.db.execute("UPDATE runs SET status='failed', finished=?, report=? WHERE id=?",
                          (datetime.now(timezone.utc).isoformat(timespec="seconds"),
                           json.dumps({"error": str(e)}), run_id))
            ws.db.commit()
            raise
        report = dict(report)
        report.setdefault("seconds", round(time.monotonic() - t0, 2))
        ws.db.execute("UPDATE runs SET status='done', finished=?, report=? WHERE id=?",
                      (datetime.now(timezone.utc).isoformat(timespec="seconds"),
                       json.dumps(report, default=str), run_id))
        ws.db.commit()
        out["stages"][name] = report
    return out
