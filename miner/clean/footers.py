"""Learn a list's footers: trailing blocks that recur across many of its messages.

Mailing-list software, corporate gateways and forums append the same block to every
message. Counting each message's last N non-blank lines (N = 1..max_lines) over a list
finds them without knowing the software. Only the longest recurring block is kept per
message tail, and a block is only kept when it reaches both ``min_share`` of the bodies
and ``min_count`` messages.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

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
    bodies: Iterable[str], *, min_share: float = 0.05, min_count: int = 5, max_lines: int = _MAX_LINES,
    senders: Sequence[str] | None = None, subjects: Sequence[str] | None = None,
    names: Sequence[str] | None = None, min_spread: int = 3,
) -> list[str]:
    """Return the trailing blocks (exact text, one line per line) shared by many bodies.

    >>> bodies = [f"msg {i}\\n--\\nlist footer\\nhttp://x/listinfo" for i in range(10)]
    >>> learn_footers(bodies)
    ['--\\nlist footer\\nhttp://x/listinfo']
    """
    counts: Counter[tuple[str, ...]] = Counter()
    # A footer is added to everybody's messages in every thread. A block that only one
    # sender ends with is their signature; one that only one thread ends with is a quoted
    # message (top-posted replies all end with the text they quote). With ``senders`` and
    # ``subjects`` given, a block must recur across ``min_spread`` of each.
    who: dict[tuple[str, ...], set] = {}
    about: dict[tuple[str, ...], set] = {}
    total = 0
    tails: list[list[str]] = []
    for i, body in enumerate(bodies):
        total += 1
        tail = _tail_lines(body or "", max_lines)
        tails.append(tail)
        for n in range(1, len(tail) + 1):
            blk = tuple(tail[-n:])
            counts[blk] += 1
            if senders is not None:
                who.setdefault(blk, set()).add(senders[i])
            if subjects is not None:
                about.setdefault(blk, set()).add(subjects[i])
    if not total:
        return []
    need = max(min_count, min_share * total)
    # a footer spreads over a good part of the threads sampled, not over the few that quote
    need_subjects = max(min_spread, int(0.2 * len(set(subjects)))) if subjects is not None else 0
    frequent = {blk for blk, c in counts.items() if c >= need
                and (senders is None or len(who[blk]) >= min_spread)
                and (subjects is None or len(about[blk]) >= need_subjects)}
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
    # A block that carries a sender's own name is a signature (quoted by others in
    # top-posted replies, so it recurs too), not something the list adds.
    known_names = {n.strip().casefold() for n in (names or ()) if n and len(n.strip()) > 3}
    out = []
    for blk, _ in found.most_common():
        if known_names and any(line.strip("-–— ,").casefold() in known_names for line in blk):
            continue
        if found[blk] >= min_count and sum(len(x) for x in blk) >= 8:
            out.append("\n".join(blk))
    return out
