"""Reading mail archives: expand paths, open containers, detect formats, yield items.

>>> for source, items in read_sources(["archive/"]):        # doctest: +SKIP
...     for item in items:                                   # SourceItem: raw bytes or parsed
...         ...

Errors about a whole source (missing, empty, binary, truncated, unknown format) are
:class:`miner.errors.SourceError`; except for a missing path they are raised lazily,
when that source's items are iterated, so the other sources still get ingested.
"""
from __future__ import annotations

import glob
import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from miner.errors import SourceError, UnknownFormatError
from miner.ingest import detect as _detect
from miner.ingest.containers import open_members
from miner.ingest.eml import EmlAdapter
from miner.ingest.maildir import MaildirAdapter
from miner.ingest.mbox import MboxAdapter
from miner.ingest.pipermail import PipermailAdapter
from miner.types import SourceItem

__all__ = ["read_sources", "KNOWN_FORMATS", "expand"]

log = logging.getLogger(__name__)

_detect.register(PipermailAdapter())
_detect.register(MboxAdapter())
_detect.register(EmlAdapter())
_detect.register(MaildirAdapter(), directory=True)
from miner.ingest import formats as _formats  # noqa: E402 - registers the other formats
KNOWN_FORMATS: tuple[str, ...] = _detect.known_formats()

# Files found while walking a folder that are clearly not mail (index pages, notes,
# data tables) are skipped; a file named explicitly is always tried.
SKIP_SUFFIXES = {".html", ".htm", ".json", ".md", ".rst", ".csv", ".parquet", ".py", ".pdf",
                 ".png", ".jpg", ".jpeg", ".gif", ".css", ".js", ".xml", ".jsonl", ".yaml",
                 ".yml", ".toml", ".sh", ".log"}
SKIP_NAMES = ("readme", "license", "licence", "copying", "notice", "changelog", "upstream_")
_GLOB_CHARS = set("*?[")


def _skippable(p: Path) -> bool:
    name = p.name.lower()
    return (name.startswith(".") or p.suffix.lower() in SKIP_SUFFIXES
            or name.startswith(SKIP_NAMES))


def _walk(root: Path) -> Iterator[tuple[str, Path]]:
    """('dir', maildir) and ('file', path) entries under ``root``, sorted, recursively."""
    maildir = _detect.DIR_ADAPTERS["maildir"]
    for dirpath, dirnames, filenames in os.walk(root):
        d = Path(dirpath)
        dirnames.sort()
        if maildir.sniff_dir(d):
            yield "dir", d
            dirnames[:] = [n for n in dirnames if n not in ("cur", "new", "tmp")]
        dirnames[:] = [n for n in dirnames if not n.startswith(".") or (d / n / "cur").is_dir()]
        for name in sorted(filenames):
            p = d / name
            if not _skippable(p):
                yield "file", p
            else:
                log.debug("skipping %s: not a mail archive", p)


def expand(spec: str) -> list[tuple[str, Path]]:
    """Entries ('file' | 'dir', path) a spec stands for; SourceError if it matches nothing."""
    p = Path(spec).expanduser()
    if not p.exists() and _GLOB_CHARS & set(spec):
        matches = sorted(glob.glob(os.path.expanduser(spec), recursive=True))
        if not matches:
            raise SourceError(f"{spec}: no file matches this pattern; check the pattern")
        out: list[tuple[str, Path]] = []
        for m in matches:
            out.extend(expand(m))
        return out
    if not p.exists():
        raise SourceError(f"{spec}: no such file or directory; check the path")
    if p.is_dir():
        entries = list(_walk(p))
        if not entries:
            raise SourceError(f"{spec}: folder holds no mail archive files; check the path")
        return entries
    return [("file", p)]


def _file_items(path: Path, forced: str | None, options: dict | None = None
                ) -> Iterator[SourceItem]:
    if forced == "maildir":
        raise SourceError(f"{path}: --format maildir needs a folder with cur/ or new/, not a file")
    for name, stream in open_members(path):
        head = stream.peek_head()
        adapter = _formats.detect_file(head, name, forced, options)
        yield from adapter.iter_items(stream, name)


def _dir_items(path: Path) -> Iterator[SourceItem]:
    adapter = _detect.DIR_ADAPTERS["maildir"]
    yield from adapter.iter_dir(path, str(path))


def read_sources(
    specs: Sequence[str], *, format: str | None = None, options: dict | None = None
) -> Iterator[tuple[str, Iterator[SourceItem]]]:
    """Yield (source name, lazy iterator of SourceItem) for every physical source.

    ``specs`` are files, folders (walked recursively; Maildirs found in them) and globs;
    ``.gz``/``.bz2``/``.xz``/``.zip`` are opened as containers. ``format`` forces a format
    (one of :data:`KNOWN_FORMATS`); otherwise each file's format is detected. ``options``
    are per-run adapter options, e.g. ``{"map": "subject=title,body=text"}`` for tables.
    """
    if format is not None and format not in KNOWN_FORMATS:
        raise UnknownFormatError(
            f"unknown format {format!r}; known formats: {', '.join(KNOWN_FORMATS)}"
        )
    for spec in specs:
        for kind, path in expand(spec):
            if kind == "dir":
                yield str(path), _dir_items(path)
            else:
                yield str(path), _file_items(path, format, options)
