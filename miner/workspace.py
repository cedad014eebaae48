"""A workspace: a folder holding one SQLite corpus (``corpus.sqlite``), its settings
(``miner.toml``) and what the stages derive from it (models, caches, exports).

    >>> ws = Workspace.open("miner-workspace", create=True)   # doctest: +SKIP
    >>> ws.ingest(["corpora/demo/gov-cop.mbox"]).added          # doctest: +SKIP
    176
"""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Callable, Sequence

from miner.config import Config
from miner.errors import WorkspaceError

DB_NAME = "corpus.sqlite"


class Workspace:
    def __init__(self, path: Path, *, config: Config | None = None, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._config = config
        self._db: sqlite3.Connection | None = None

    @classmethod
    def open(cls, path: str | os.PathLike, *, create: bool = False, readonly: bool = False,
             overrides: dict | None = None) -> "Workspace":
        """Open the workspace at ``path``; with ``create`` make it if it does not exist."""
        p = Path(path)
        if not (p / DB_NAME).exists():
            if not create:
                raise WorkspaceError(
                    f"no miner workspace at {p}; run 'miner ingest SOURCE --workspace {p}' "
                    "(or 'miner demo') first, or pass the right --workspace"
                )
            try:
                p.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise WorkspaceError(
                    f"cannot create the workspace folder {p}: {e.strerror}; pass a writable "
                    "--workspace"
                ) from None
            if not os.access(p, os.W_OK):
                raise WorkspaceError(f"the workspace folder {p} is not writable; pass another --workspace")
        ws = cls(p, readonly=readonly)
        ws._config = Config.load(p, overrides)
        ws.db  # open and migrate now so errors surface here
        return ws

    @property
    def db_path(self) -> Path:
        return self.path / DB_NAME

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            from miner.store import connect

            self._db = connect(self.db_path, readonly=self.readonly)
        return self._db

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = Config.load(self.path)
        return self._config

    def subdir(self, name: str) -> Path:
        d = self.path / name
        d.mkdir(parents=True, exist_ok=True)
        return d

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the library's verbs (thin: each delegates to its module) --------------------------
    def ingest(self, specs: Sequence[str], *, list_name: str | None = None, strict: bool = False,
               format: str | None = None, progress: Callable[[int], None] | None = None,
               options: dict | None = None):
        from miner.ingest.run import ingest

        return ingest(self, specs, list_name=list_name, strict=strict, format=format,
                      progress=progress, options=options)

    def __repr__(self) -> str:
        return f"Workspace({str(self.path)!r})"
