"""Every command and every setting is documented in docs/cli.md."""
from __future__ import annotations

from pathlib import Path

import typer.main

from miner.cli import app
from miner.config import SETTINGS

DOC = (Path(__file__).resolve().parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")


def _commands(group, prefix="miner"):
    for name, cmd in getattr(group, "commands", {}).items():
        full = f"{prefix} {name}"
        yield full
        yield from _commands(cmd, full)


def test_every_command_is_documented_with_help():
    click_app = typer.main.get_command(app)
    names = list(_commands(click_app))
    assert len(names) >= 15
    missing = [n for n in names if f"`{n}" not in DOC]
    assert missing == [], f"commands missing from docs/cli.md: {missing}"
    for name, cmd in click_app.commands.items():
        assert (cmd.help or "").strip(), f"miner {name} has no help text"


def test_every_setting_is_documented():
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in DOC]
    assert missing == []
