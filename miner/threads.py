"""JWZ-style threading over References / In-Reply-To, with guarded subject joining.

Pure functions, no I/O. Everything is iterative (no recursion) and works on integer
container indices, so a million messages thread in seconds and reply loops, self
references, duplicated Message-IDs and garbage headers can never hang or crash it.

How a message finds its parent, in order:

1. *Own headers* ("strong" links, applied first and winning over anything inferred):
   In-Reply-To when it names a message in the set, else the last References entry
   (a placeholder container when that message is absent), else In-Reply-To as a
   placeholder. A link that would close a cycle is skipped (the next candidate is tried);
   links are applied newest message first, so in a loop A->B->A the older message
   ends up as the root.
2. *Other messages' References* ("weak" links): consecutive entries r[j] -> r[j+1] give
   a parent to containers (placeholders, or messages without headers) that still have none.
3. *Subject joining*: a thread whose top message has a reply prefix ("Re:", "AW:",
   "回复:", ...) joins the most recent thread of the same list with the same normalised
   subject when that thread was active within ``subject_window_days``. A message without
   a reply prefix always starts its own thread, even when its subject was used before.

A message's ``parent_key`` is its nearest *real* ancestor (placeholders are skipped);
messages under a placeholder with no real ancestor get ``parent_key=None`` and share the
thread whose root is the earliest real message of that group.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from miner.types import ThreadInput, ThreadLink

__all__ = [
    "is_reply_subject",
    "message_ids",
    "normalize_subject",
    "parse_msgids",
    "subject_info",
    "subject_key",
    "thread_messages",
]

# Reply and forward prefixes in many languages (case-insensitive), each optionally followed by
# a counter ("Re[2]:", "Re(3):", "Re^2:") and a colon (ASCII or full-width).
_PREFIXES = (
    "re", "aw", "sv", "vs", "antw", "antwort", "réf", "ref", "rif", "rv", "tr", "res", "enc",
    "fw", "fwd", "wg", "odp", "pd", "ynt", "atb", "vl", "vá", "továbbítás", "yv", "πρθ", "σχετ",
    "отв", "ответ", "на", "回复", "答复", "回覆", "转发", "轉寄", "返信", "転送", "답장", "전달",
)
_PREFIX_RE = "|".join(sorted((re.escape(p) for p in _PREFIXES), key=len, reverse=True))
_REPLY_PREFIX = re.compile(
    rf"^\s*(?:{_PREFIX_RE})\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*[:：]\s*", re.IGNORECASE
)
_LIST_TAG = re.compile(r"^\s*\[[^\[\]]{1,80}\]\s*")
_WS = re.compile(r"\s+")
# "(fwd)" and "(was: old subject)" trailers
_TRAILER = re.compile(r"\s*\((?:fwd|was:[^)]*)\)\s*$", re.IGNORECASE)


def _strip(s: str) -> tuple[str, bool]:
    """Strip list tags and reply prefixes from the front; return (rest, had_reply_prefix)."""
    s = s or ""
    reply = False
    while True:
        m = _LIST_TAG.match(s)
        if m:
            s = s[m.end():]
            continue
        m = _REPLY_PREFIX.match(s)
        if m:
            s = s[m.end():]
            reply = True
            continue
        return s, reply


def normalize_subject(s: str | None) -> str:
    """Subject without list tags, reply/forward prefixes and extra whitespace (case kept).

    >>> normalize_subject("Re: [gov-cop] RE: Re:  Water  pricing (fwd)")
    'Water pricing'
    """
    rest, _ = _strip(s or "")
    rest = _TRAILER.sub("", rest)
    return _WS.sub(" ", rest).strip()


def is_reply_subject(s: str | None) -> bool:
    """True when the subject starts (after list tags) with a reply or forward prefix."""
    return _strip(s or "")[1]


def _subject_key(s: str | None) -> str:
    return normalize_subject(s).casefold()


def subject_info(s: str | None) -> tuple[str, bool]:
    """(:func:`subject_key`, :func:`is_reply_subject`) of ``s``, stripping its front once."""
    rest, reply = _strip(s or "")
    rest = _TRAILER.sub("", rest)
    return _WS.sub(" ", rest).strip().casefold(), reply


def subject_key(s: str | None) -> str:
    """The key subject joining compares (normalised, casefolded; '' joins nothing)."""
    return _subject_key(s)


_ANGLE = re.compile(r"<([^<>\s]+)>")
_BARE = re.compile(r"[^\s<>,;()\"']+@[^\s<>,;()\"']+")
_PLAIN = re.compile(r"[^\s<>,;()\"']+")  # one bare token, as the store keeps References


def parse_msgids(value: str | None) -> list[str]:
    """Message-IDs found in a header value, without angle brackets, in order.

    Accepts ``<a@b> <c@d>``, bracket-less ``a@b c@d`` and garbage around them; a lone token
    without ``@`` is kept only when the value holds nothing else (some generators do that).
    """
    if not value:
        return []
    if value[0] == "<" and value[-1] == ">" and value.count("<") == 1 and " " not in value:
        return [value[1:-1]]
    if "@" in value[1:-1] and _PLAIN.fullmatch(value):  # what _BARE finds in it: all of it
        return [value.strip(".")]
    found = _ANGLE.findall(value)
    if found:
        return found
    found = _BARE.findall(value)
    if found:
        return [f.strip(".") for f in found]
    tok = value.strip()
    return [tok] if tok and not any(c.isspace() for c in tok) and len(tok) < 250 else []


def _norm_id(value: str | None) -> str | None:
    ids = parse_msgids(value)
    return ids[0] if ids else None


def message_ids(item: ThreadInput) -> set[str]:
    """Every Message-ID the threading of ``item`` reads: its own, In-Reply-To and References.

    Two messages can influence each other's links only through an id in both sets (or
    through subject joining): incremental threading uses this to find what a new message
    touches.
    """
    out = set(parse_msgids(item.in_reply_to))
    own = _norm_id(item.message_id)
    if own is not None:
        out.add(own)
    for r in item.references:
        out.update(parse_msgids(r))
    return out


def _timestamp(d: datetime | None) -> float | None:
    if d is None:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=UTC)
    try:
        return d.timestamp()
    except (OverflowError, OSError, ValueError):
        return None


def _find(uf: list[int], x: int) -> int:
    """Union-find root with path halving (iterative)."""
    while uf[x] != x:
        uf[x] = uf[uf[x]]
        x = uf[x]
    return x


def thread_messages(
    items: Iterable[ThreadInput], *, subject_window_days: int = 30,
    lookups: list[tuple[str, str]] | None = None,
    subjects: dict[str, tuple[str, bool]] | None = None,
) -> list[ThreadLink]:
    """Thread messages; return one :class:`ThreadLink` per input item, in input order.

    When ``lookups`` is a list, one ``(top key, first key)`` pair is appended to it for every
    reply tree whose top message has a reply subject: the tree looked for a thread to join
    under the top's subject at the time of its first message (incremental threading stores
    these to know which trees a new message could make join differently).

    ``subjects`` is an optional cache of :func:`subject_info` by raw subject, shared with a
    caller that needs the same keys.

    ``key`` must be unique; Message-IDs may repeat (the earliest message by date owns the
    id, later copies are threaded by their own headers but cannot be referenced).

    >>> from miner.types import ThreadInput as T
    >>> links = thread_messages([T("a", "<1@x>", None, (), "Hi", None),
    ...                          T("b", "<2@x>", "<1@x>", (), "Re: Hi", None)])
    >>> [(l.key, l.parent_key, l.root_key, l.how) for l in links]
    [('a', None, 'a', 'root'), ('b', 'a', 'a', 'in_reply_to')]
    """
    msgs = list(items)
    n = len(msgs)
    if n == 0:
        return []
    seen_keys: set[str] = set()
    for m in msgs:
        if m.key in seen_keys:
            raise ValueError(f"duplicate thread key {m.key!r}: keys must be unique")
        seen_keys.add(m.key)
    del seen_keys

    # ---- time order; an undated message takes the date of the item before it in input order
    ts: list[float] = [0.0] * n
    last = None
    first_dated = next((t for t in (_timestamp(m.date) for m in msgs) if t is not None), 0.0)
    for i, m in enumerate(msgs):
        t = _timestamp(m.date)
        if t is None:
            t = last if last is not None else first_dated
        ts[i] = t
        last = t
    order = sorted(range(n), key=ts.__getitem__)

    # ---- containers: 0..n-1 are the messages themselves; placeholders are appended
    id_of: dict[str, int] = {}
    for i in order:  # the earliest message by date owns a duplicated id
        mid = _norm_id(msgs[i].message_id)
        if mid is not None and mid not in id_of:
            id_of[mid] = i
    parent: list[int] = list(range(n))  # parent[c] == c: no parent
    uf: list[int] = list(range(n))

    def container(mid: str) -> int:
        c = id_of.get(mid)
        if c is None:
            c = len(parent)
            id_of[mid] = c
            parent.append(c)
            uf.append(c)
        return c

    irt_of: list[int] = [-1] * n
    ref_of: list[tuple[int, ...]] = [()] * n
    for i in order:
        m = msgs[i]
        irt = parse_msgids(m.in_reply_to)
        if irt:
            # several ids (some clients add the author's address): prefer one in the set
            irt_of[i] = next((id_of[x] for x in irt if id_of.get(x, n) < n), container(irt[0]))
        if m.references:
            refs: list[int] = []
            for r in m.references:
                for x in parse_msgids(r):
                    c = container(x)
                    if not refs or refs[-1] != c:
                        refs.append(c)
            ref_of[i] = tuple(refs)

    how_code = bytearray(n)  # 0 root, 1 references, 2 in_reply_to, 3 subject

    # ---- 1. strong links, newest first; the first candidate that is not the message itself
    # and does not close a cycle wins
    for i in reversed(order):
        ci = irt_of[i]
        refs = ref_of[i]
        if ci < 0 and not refs:
            continue
        cands: list[tuple[int, int]] = []
        if 0 <= ci < n:
            cands.append((ci, 2))
        for c in reversed(refs):
            cands.append((c, 1))
        if ci >= n:
            cands.append((ci, 2))
        for c, how in cands:
            if c == i or _find(uf, c) == i:
                continue
            parent[i] = c
            uf[i] = c
            how_code[i] = how
            break

    # ---- 2. weak links from every message's References chain
    for i in order:
        refs = ref_of[i]
        for j in range(1, len(refs)):
            a = refs[j - 1]
            b = refs[j]
            if parent[b] != b or _find(uf, a) == b:
                continue
            parent[b] = a
            uf[b] = a
            if b < n and how_code[b] == 0:
                how_code[b] = 1
    del irt_of, ref_of

    # ---- nearest real ancestor of each message (skip placeholders), iteratively memoised
    total = len(parent)
    real_up = [-2] * total  # -2 unknown, -1 none
    for i in range(n):
        path = []
        c = parent[i]
        if c == i:
            real_up[i] = -1
            continue
        while True:
            if c < n:
                res = c
                break
            if real_up[c] != -2:
                res = real_up[c]
                break
            path.append(c)
            p = parent[c]
            if p == c:
                res = -1
                break
            c = p
        for p in path:
            real_up[p] = res
        real_up[i] = res

    # ---- 3. subject joining, in time order, at the level of trees
    subj_cache: dict[str, tuple[str, bool]] = {} if subjects is None else subjects

    def subj(s: str | None) -> tuple[str, bool]:
        s = s or ""
        r = subj_cache.get(s)
        if r is None:
            r = subj_cache[s] = subject_info(s)
        return r

    window = float(subject_window_days) * 86400.0
    tree_first: dict[int, int] = {}  # tree root container -> earliest real message
    joined_to: dict[int, int] = {}  # tree root container -> thread root message
    # (list, subject key) -> [thread root message, last activity ts, latest message]
    reg: dict[tuple[str | None, str], list] = {}
    root_msg = [0] * n
    subj_parent: dict[int, int] = {}
    # a tree under a placeholder is rooted at its earliest message without a real ancestor
    tree_top: dict[int, int] = {}
    for i in order:
        if real_up[i] == -1:
            t = _find(uf, i)
            if t >= n and t not in tree_top:
                tree_top[t] = i
    for i in order:
        t = _find(uf, i)
        m = msgs[i]
        first = tree_first.get(t)
        if first is None:
            tree_first[t] = i
            thread_root = t if t < n else tree_top[t]
            top = msgs[thread_root]
            if subj(top.subject)[1]:
                key = (top.list, subj(top.subject)[0])
                if lookups is not None and key[1]:
                    lookups.append((top.key, m.key))
                entry = reg.get(key) if key[1] else None
                if entry is not None and ts[i] - entry[1] <= window:
                    thread_root = entry[0]
                    if t < n:
                        subj_parent[t] = entry[2]
            joined_to[t] = thread_root
        thread_root = joined_to[t]
        root_msg[i] = thread_root
        skey = subj(m.subject)[0]
        if skey:
            reg[(m.list, skey)] = [thread_root, ts[i], i]

    out: list[ThreadLink] = []
    for i, m in enumerate(msgs):
        up = real_up[i]
        how = how_code[i]
        if up < 0 and i in subj_parent:
            up = subj_parent[i]
            how = 3
        r = root_msg[i]
        if up < 0:
            if r == i:
                how_s = "root"
            elif how == 0 or _find(uf, i) == i:
                how_s = "subject"
            else:
                how_s = "references"
            out.append(ThreadLink(m.key, None, msgs[r].key, how_s))
        else:
            how_s = ("references", "references", "in_reply_to", "subject")[how]
            out.append(ThreadLink(m.key, msgs[up].key, msgs[r].key, how_s))
    return out
