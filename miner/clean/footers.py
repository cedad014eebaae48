"""Learn a list's footers: trailing blocks that recur across many of its messages.

Mailing-list software, corporate gateways and forums append the same block to every
message. Counting each message's last N non-blank lines (N = 1..max_lines) over a list
finds them without knowing the software. Only the longest recurring block is kept per
message tail, and a block is only kept when it reaches both ``min_share`` of the bodies
and ``min_count`` messages.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

_MAX_LINES = 15


def _tail_lines(body: str, max_lines: int) -> list[str]:
    out: list[str] = []
    for line in reversed(body.splitlines()):
        s = line.strip()
        if s:
            out.append(s)
            if len(out) >= max_lines:
                break
    out.reverse()
    return out


def learn_footers(
    bodies: Iterable[str], *, min_share: float = 0.05, min_count: int = 5, max_lines: int = _MAX_LINES
) -> list[str]:
    """Return the trailing blocks (exact text, one line per line) shared by many bodies.

    >>> bodies = [f"msg {i}\\n--\\nlist footer\\nhttp://x/listinfo" for i in range(10)]
    >>> learn_footers(bodies)
    ['--\\nlist footer\\nhttp://x/listinfo']
    """
    counts: Counter[tuple[str, ...]] = Counter()
    total = 0
    tails: list[list[str]] = []
    for body in bodies:
        total += 1
        tail = _tail_lines(body or "", max_lines)
        tails.append(tail)
        for n in range(1, len(tail) + 1):
            counts[tuple(tail[-n:])] += 1
    if not total:
        return []
    need = max(min_count, min_share * total)
    frequent = {blk for blk, c in counts.items() if c >= need}
    found: Counter[tuple[str, ...]] = Counter()
    for tail in tails:
        best = None
        for n in range(len(tail), 0, -1):
            blk = tuple(tail[-n:])
            # a whole short body is not a footer: the block must leave something before it
            if blk in frequent and n < len(tail):
                best = blk
                break
        if best is not None:
            found[best] += 1
    out = []
    for blk, _ in found.most_common():
        if found[blk] >= min_count and sum(len(x) for x in blk) >= 8:
            out.append("\n".join(blk))
    return out
