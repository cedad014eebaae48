"""The ``miner`` command line: one Typer app; each command group lives in its own module.

Each module in ``COMMAND_MODULES`` defines ``register(app)``. Nothing heavy is imported
here: ``miner --help`` must stay fast and import no model library.
"""
from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="miner",
    help=(
        "Turn e-discussion archives (mailing lists, forums) into reusable knowledge.\n\n"
        "Examples:\n\n"
        "  miner demo\n\n"
        "  miner ingest archive.mbox 2019-*.txt.gz --list gov-cop\n\n"
        "  miner search 'youth participation in elections' --threads\n\n"
        "  miner summarize <thread-id> --format docx -o reply.docx"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

COMMAND_MODULES = (
    "ingest",
    "clean",
    "corpus",
    "people",
    "search",
    "analyze",
    "summary",
    "demo",
    "lessons",
    "topics",
)

for _name in COMMAND_MODULES:
    importlib.import_module(f"miner.cli.{_name}").register(app)


def main() -> None:
    app()
