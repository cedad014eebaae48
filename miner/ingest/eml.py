"""Single RFC 822 messages: ``.eml`` files and one-message-per-file folders."""
from __future__ import annotations

import re
from collections.abc import Iterator

from miner.types import SourceItem

_HEADER = re.compile(rb"^[!-9;-~]+[ \t]*:")
MAX_MESSAGE = 256 * 1024**2


class EmlAdapter:
    name = "eml"
    description = "one RFC 822 message per file (.eml, Maildir files)"

    def sniff(self, head: bytes, path: str) -> float:
        lines = head.lstrip(b"\r\n").split(b"\n", 3)
        first = lines[0]
        if _HEADER.match(first):
            score = 0.6
        elif first.startswith(b"From ") and len(lines) > 1 and _HEADER.match(lines[1]):
            score = 0.3  # one message with an envelope line
            if len(re.findall(rb"\n\nFrom [^\n]*\d:\d\d[^\n]*\n[!-9;-~]+:", head)) > 0:
                return 0.0  # several messages: an mbox
        else:
            return 0.0
        low = head.lower()
        if b"\nfrom:" in b"\n" + low or b"\nsubject:" in b"\n" + low:
            score += 0.3
        if path.lower().endswith(".eml"):
            score += 0.1
        return score

    def iter_items(self, f, source: str) -> Iterator[SourceItem]:
        raw = f.read(MAX_MESSAGE + 1)
        if len(raw) > MAX_MESSAGE:
            yield SourceItem(source, "message", raw=raw[:MAX_MESSAGE],
                             error=f"message larger than {MAX_MESSAGE} bytes: truncated")
            return
        yield SourceItem(source, "message", raw=raw)

