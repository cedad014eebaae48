"""The extractive guarantee: every point exists verbatim in the new text of the message it cites.

Whitespace is compared normalised (archives hard-wrap lines at 72 columns; a point is shown on
one line), nothing else is: no case folding, no punctuation repair.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from miner.errors import MinerError

_WS = re.compile(r"\s+")


class VerbatimError(MinerError):
    """A point of a summary is not found verbatim in the message it cites."""

    def __init__(self, failures: list["Failure"]) -> None:
        first = failures[0]
        super().__init__(
            f"{len(failures)} point(s) of the summary are not verbatim in the cited message; "
            f"first: {first.text[:80]!r} cites {first.message_id} ({first.reason}). "
            "This is a bug in miner's summary stage: please report it with the thread id")
        self.failures = failures


@dataclass(frozen=True, slots=True)
class Failure:
    text: str
    message_id: str
    reason: str


def norm(text: str) -> str:
    return _WS.sub(" ", text or "").strip()


def check_points(points: Iterable, texts: Mapping[str, str]) -> list[Failure]:
    """Points (anything with ``text`` and ``message_id``) whose text is not in ``texts[id]``."""
    cache: dict[str, str] = {}
    out = []
    for p in points:
        src = texts.get(p.message_id)
        if src is None:
            out.append(Failure(p.text, p.message_id, "message not in the discussion"))
            continue
        if p.message_id not in cache:
            cache[p.message_id] = norm(src)
        t = norm(p.text)
        if not t or t not in cache[p.message_id]:
            out.append(Failure(p.text, p.message_id, "text not found in its new text"))
    return out


def verify(points: Iterable, texts: Mapping[str, str]) -> None:
    """Raise :class:`VerbatimError` unless every point is verbatim in its message."""
    failures = check_points(points, texts)
    if failures:
        raise VerbatimError(failures)
