"""Format detection: a registry of adapters, each scoring how well a file fits it.

An adapter has ``name``, ``description``, ``sniff(head_bytes, path) -> float`` (0 = not
this format, 1 = certain) and ``iter_items(stream, source) -> Iterator[SourceItem]``.
Directory formats (Maildir) have ``sniff_dir(path)`` instead. New formats register
here and slot into the same ingest path.
"""
from __future__ import annotations

from pathlib import Path
from typing import Protocol

from miner.errors import SourceError, UnknownFormatError


class Adapter(Protocol):
    name: str
    description: str

    def sniff(self, head: bytes, path: str) -> float: ...

    def iter_items(self, stream, source: str): ...


FILE_ADAPTERS: dict[str, Adapter] = {}
DIR_ADAPTERS: dict[str, object] = {}
MIN_SCORE = 0.3


def register(adapter, *, directory: bool = False):
    (DIR_ADAPTERS if directory else FILE_ADAPTERS)[adapter.name] = adapter
    return adapter


def known_formats() -> tuple[str, ...]:
    return tuple(FILE_ADAPTERS) + tuple(n for n in DIR_ADAPTERS if n not in FILE_ADAPTERS)


def check_text(head: bytes, name: str) -> None:
    """Raise SourceError for an empty or binary file."""
    if not head.strip():
        raise SourceError(f"{name}: empty file; nothing to ingest (check the download)")
    sample = head[:8192]
    nul = sample.find(b"\x00")
    if nul >= 0:
        raise SourceError(
            f"{name}: binary file (NUL byte at offset {nul}), not a mail "
            f"archive; give a text archive in one of: {', '.join(known_formats())}"
        )
    ctrl = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if ctrl * 20 > len(sample):
        raise SourceError(
            f"{name}: binary file (mostly control bytes), not a mail archive; "
            f"give a text archive in one of: {', '.join(known_formats())}"
        )


def detect(head: bytes, name: str, forced: str | None = None) -> Adapter:
    """The adapter for a file whose first bytes are ``head``."""
    check_text(head, name)
    scores = {n: a.sniff(head, name) for n, a in FILE_ADAPTERS.items()}
    best = max(scores, key=scores.get)
    if forced is not None:
        if forced not in FILE_ADAPTERS:
            raise UnknownFormatError(
                f"unknown format {forced!r} for {name}; known formats: {', '.join(known_formats())}"
            )
        if scores[forced] <= 0:
            looks = best if scores[best] >= MIN_SCORE else "no known format"
            raise SourceError(
                f"{name}: does not look like {forced} (it looks like {looks}); "
                "drop --format to detect it, or pick the right one"
            )
        return FILE_ADAPTERS[forced]
    if scores[best] < MIN_SCORE:
        first = head.split(b"\n", 1)[0][:60].decode("utf-8", "replace")
        raise UnknownFormatError(
            f"{name}: unknown format (starts with {first!r}); known formats: "
            f"{', '.join(known_formats())}; pass --format if you know it"
        )
    return FILE_ADAPTERS[best]


def detect_dir(path: Path):
    """The directory adapter for ``path`` (e.g. a Maildir), or None."""
    for a in DIR_ADAPTERS.values():
        if a.sniff_dir(path):
            return a
    return None
