"""Static checks that catch real bugs (undefined names, syntax errors, redefinitions) with ruff."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_finds_no_undefined_names_or_syntax_errors():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed (pip install -e '.[dev]')")
    p = subprocess.run([ruff, "check", "--no-cache", "--select", "F,E9", "--ignore", "F401,F841",
                        "--output-format", "concise", "miner", "app.py", "app_pages",
                        "benchmarks", "tests"], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-2000:]
