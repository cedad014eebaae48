"""Typed errors. The library raises these; only the CLI turns them into exit codes.

Every message says what went wrong, where (file, line, message id) and what to do.
"""
from __future__ import annotations


class MinerError(Exception):
    """Base class of every error miner raises on purpose (a user error: exit code 1)."""


class SourceError(MinerError):
    """A source given to ``ingest`` cannot be read (missing, empty, binary, truncated...)."""


class UnknownFormatError(SourceError):
    """The format of a source cannot be told; the message lists the formats miner knows."""


class WorkspaceError(MinerError):
    """The workspace cannot be created, opened or written."""


class NotFoundError(MinerError):
    """A thread, message, person or topic named by the user does not exist."""


class ConfigError(MinerError):
    """A setting is unknown or has a bad value; the message lists the valid ones."""


class StageError(MinerError):
    """An analysis stage cannot run (missing prerequisite, missing optional dependency)."""


class MissingDependencyError(StageError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"{package} is not installed; install it with: pip install 'miner[{extra}]'"
        )
        self.package = package
        self.extra = extra


class StrictModeError(MinerError):
    """Raised by ``ingest --strict`` at the first message that could not be fully parsed."""
