"""No network at run time: the demo pipeline runs with socket connections made to fail."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pathlib import Path

DEMO = Path(__file__).resolve().parents[2] / "corpora" / "demo"

NO_NET = """
import socket, sys
class NoNetwork(OSError):
    pass
def _refuse(*a, **k):
    raise NoNetwork("network disabled by the offline test")
socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
sys.argv = ["miner", "demo", "--no-app", "--json", "--workspace", sys.argv[1]]
from miner.cli import main
main()
"""


@pytest.mark.slow
@pytest.mark.model
def test_demo_runs_with_networking_disabled(tmp_path):
    if not (DEMO / "gov-cop.mbox").exists():
        pytest.skip("demo corpus missing")
    env = {"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"}
    import os

    env.update({k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE",)})
    env.pop("HF_HUB_OFFLINE", None)  # the code must not rely on it
    p = subprocess.run([sys.executable, "-c", NO_NET, str(tmp_path / "ws")], capture_output=True,
                       text=True, env=env, timeout=1800)
    assert p.returncode == 0, p.stderr[-3000:]
    report = json.loads(p.stdout)
    assert report["ingest"]["added"] >= 150
    assert "NoNetwork" not in p.stderr
