"""Saving what a user gives the Ingest page: uploads and URLs, into ``<workspace>/uploads/``.

File names are reduced to a safe basename (no folders, no ``..``, no control characters), a size
limit holds for uploads and downloads alike, and only http(s) URLs are fetched.
"""
from __future__ import annotations

import re
import unicodedata
import urllib.parse
import urllib.request
from pathlib import Path

from miner.errors import SourceError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
CHUNK = 1 << 20


def safe_filename(name: str, default: str = "archive") -> str:
    """A basename safe to create in the uploads folder: ``../../etc/passwd`` -> ``passwd``."""
    name = unicodedata.normalize("NFKD", str(name or ""))
    name = name.replace("\\", "/").split("/")[-1]
    name = _UNSAFE.sub("_", name).strip("._-")
    name = re.sub(r"\.{2,}", ".", name)[:120]
    return name or default


def _target(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = (folder / safe_filename(name)).resolve()
    if target.parent != folder.resolve():  # belt and braces: never outside the folder
        raise SourceError(f"refusing to write {name!r} outside {folder}")
    stem, suffix, n = target.name, "", 1
    if "." in stem:
        stem, suffix = stem.split(".", 1)
        suffix = "." + suffix
    while target.exists():
        n += 1
        target = folder.resolve() / f"{stem}-{n}{suffix}"
    return target


def save_upload(folder: Path, name: str, data: bytes, max_bytes: int) -> Path:
    """Write uploaded bytes under ``folder`` with a safe, unused name."""
    if len(data) > max_bytes:
        raise SourceError(f"{safe_filename(name)} is {len(data) / 1e6:.0f} MB; the app takes up to "
                          f"{max_bytes / 1e6:.0f} MB (use 'miner ingest PATH' for bigger archives)")
    if not data:
        raise SourceError(f"{safe_filename(name)} is empty")
    target = _target(folder, name)
    target.write_bytes(data)
    return target


def fetch_url(folder: Path, url: str, max_bytes: int, timeout: float = 30.0) -> Path:
    """Download an http(s) URL under ``folder`` (at most ``max_bytes``)."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SourceError(f"{url!r} is not an http(s) URL; give a link like "
                          "https://lists.example.org/pipermail/list/2021-March.txt.gz")
    name = safe_filename(Path(urllib.parse.unquote(parts.path)).name or parts.netloc)
    req = urllib.request.Request(url.strip(), headers={"User-Agent": "miner"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (scheme checked)
            data = bytearray()
            while True:
                chunk = resp.read(CHUNK)
                if not chunk:
                    break
                data += chunk
                if len(data) > max_bytes:
                    raise SourceError(f"{url} is larger than {max_bytes / 1e6:.0f} MB; download it "
                                      "yourself and use 'miner ingest PATH'")
    except OSError as e:
        raise SourceError(f"cannot download {url}: {e}; check the address and the network") \
            from None
    return save_upload(folder, name, bytes(data), max_bytes)
