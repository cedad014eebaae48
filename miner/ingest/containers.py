"""Opening sources: plain files and .gz/.bz2/.xz/.zip containers, streamed.

Decompression is streamed with a limit on the decompressed size (against bombs), and
a truncated or corrupt container becomes a :class:`SourceError` that says how far it got.
"""
from __future__ import annotations

import bz2
import gzip
import lzma
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from miner.errors import SourceError

MAX_DECOMPRESSED = 16 * 1024**3  # 16 GiB per source
COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
HEAD_SIZE = 64 * 1024


class Stream:
    """A read-only byte stream over a (possibly decompressing) file object.

    Counts what it hands out, enforces ``limit`` and turns decompression errors into
    one-line :class:`SourceError` messages naming the file and the offset reached.
    """

    def __init__(self, f: BinaryIO, name: str, kind: str = "", limit: int | None = None):
        self.f = f
        self.name = name
        self.kind = kind
        self.limit = MAX_DECOMPRESSED if limit is None else limit  # read now: tests lower it
        self.pos = 0
        self._head = b""
        self.failed = False  # set once a read has failed (the last item is cut short)
        self._error: SourceError | None = None

    def peek_head(self, n: int = HEAD_SIZE) -> bytes:
        """The first ``n`` bytes, without consuming them."""
        while len(self._head) < n and self._error is None:
            chunk = self._read(n - len(self._head))
            if not chunk:
                break
            self._head += chunk
        return self._head[:n]

    def read(self, n: int = -1) -> bytes:
        if self._head:
            if 0 <= n < len(self._head):
                data, self._head = self._head[:n], self._head[n:]
                return data
            data, self._head = self._head, b""
            if self._error is not None or n == len(data):
                return data
            try:
                return data + self._read(-1 if n < 0 else n - len(data))
            except SourceError:
                return data  # the error is raised again on the next read
        return self._read(n)

    def _read(self, n: int) -> bytes:
        """Read up to ``n`` bytes (all if negative) with ``read1`` steps, so that data
        decompressed before an error is returned first and the error raised next time."""
        if self._error is not None:
            raise self._error
        parts: list[bytes] = []
        got = 0
        while n < 0 or got < n:
            try:
                data = self.f.read1(65536 if n < 0 else min(n - got, 1 << 20))
            except (EOFError, zlib.error, gzip.BadGzipFile, lzma.LZMAError, OSError,
                    zipfile.BadZipFile) as e:
                self.failed = True
                what = f"truncated or corrupt {self.kind} data" if self.kind else "read error"
                self._error = SourceError(
                    f"{self.name}: {what} after {self.pos + got:,} decompressed bytes ({e}); "
                    "re-download or re-compress the file (messages before that point were read)"
                )
                if parts:
                    break
                raise self._error from None
            if not data:
                break
            parts.append(data)
            got += len(data)
        self.pos += got
        if self.pos > self.limit:
            raise SourceError(
                f"{self.name}: decompresses to more than {self.limit:,} bytes (a zip bomb?); "
                "decompress it yourself and ingest the result if it is genuine"
            )
        return b"".join(parts)

    def close(self) -> None:
        self.f.close()


def open_members(path: Path) -> Iterator[tuple[str, Stream]]:
    """Yield (name, stream) for a file: itself, its decompressed content, or zip members."""
    suffix = path.suffix.lower()
    if suffix in COMPRESSED:
        opener = COMPRESSED[suffix]
        try:
            f = opener(path, "rb")
        except OSError as e:
            raise SourceError(f"{path}: cannot open ({e}); check the path and permissions") from None
        s = Stream(f, str(path), suffix[1:])
        try:
            yield str(path), s
        finally:
            s.close()
        return
    if suffix == ".zip":
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as e:
            raise SourceError(f"{path}: not a readable zip file ({e}); re-download it") from None
        with zf:
            members = [i for i in zf.infolist() if not i.is_dir() and "__MACOSX" not in i.filename]
            if not members:
                raise SourceError(f"{path}: empty zip archive; nothing to ingest")
            for info in members:
                name = f"{path}!{info.filename}"
                s = Stream(zf.open(info), name, "zip")
                try:
                    yield name, s
                finally:
                    s.close()
        return
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as e:
        raise SourceError(f"{path}: cannot open ({e}); check the path and permissions") from None
    s = Stream(f, str(path))
    try:
        yield str(path), s
    finally:
        s.close()


def inner_name(name: str) -> str:
    """File name without a compression suffix (``2007q1.txt.gz`` -> ``2007q1.txt``)."""
    base = name.rsplit("!", 1)[-1].rsplit("/", 1)[-1]
    for suf in COMPRESSED:
        if base.lower().endswith(suf):
            return base[: -len(suf)]
    return base
