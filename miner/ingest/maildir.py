"""Maildir folders, strict or not: any folder with ``cur/`` or ``new/`` (``tmp/`` optional).

Each message file is one item; files are read in sorted order so runs are repeatable.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from miner.types import SourceItem

MAX_MESSAGE = 256 * 1024**2


class MaildirAdapter:
    name = "maildir"
    description = "Maildir folder (cur/ and new/ subfolders)"

    def sniff_dir(self, path: Path) -> bool:
        return (path / "cur").is_dir() or (path / "new").is_dir()

    def files(self, path: Path) -> list[Path]:
        out: list[Path] = []
        for sub in ("cur", "new"):
            d = path / sub
            if d.is_dir():
                out.extend(sorted(p for p in d.iterdir() if p.is_file() and not p.name.startswith(".")))
        return out

    def iter_dir(self, path: Path, source: str) -> Iterator[SourceItem]:
        for p in self.files(path):
            where = str(p.relative_to(path))
            try:
                with open(p, "rb") as f:
                    raw = f.read(MAX_MESSAGE + 1)
            except OSError as e:
                yield SourceItem(source, where, error=f"cannot read: {e}")
                continue
            if len(raw) > MAX_MESSAGE:
                yield SourceItem(source, where, raw=raw[:MAX_MESSAGE],
                                 error=f"message larger than {MAX_MESSAGE} bytes: truncated")
            elif not raw.strip():
                yield SourceItem(source, where, raw=raw, error="empty message file")
            else:
                yield SourceItem(source, where, raw=raw)
