"""Split one message body into typed segments (new text, quotes, headers, signature...).

Line-based and rule-based: every line gets one kind, then runs of equal kinds become
:class:`~miner.types.Segment` spans that cover the text exactly. Order of decisions:
footers (given blocks, list footers) -> code and log pastes -> the "cut" where an
embedded earlier message starts (reply header followed by unquoted text, Outlook
header block, "Original Message", forwarded marker) -> ">"-quoted lines and the
reply headers that introduce them -> disclaimers, signatures, closings, salutation.

Example:
    >>> c = segment("Hi all,\\n\\nIt works.\\n\\nOn Mon, Jan 1, 2024, Ann <a@b.org> wrote:\\n> Does it?\\n")
    >>> c.new_text
    'Hi all,\\n\\nIt works.'
"""
from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from itertools import accumulate, compress, count
from operator import add, ne

from miner.clean import patterns as P
from miner.clean.tail import mark_tail
from miner.clean.technical import mark_code_and_logs
from miner.types import NEW_TEXT_KINDS, Cleaned, Segment

_EOL = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_HEADER_LOOKAHEAD = 4  # lines a wrapped "On ... wrote:" header may span
_HEADER_FIRST = frozenset("-OoLlAaEeIiDdWwQqCcZzЦц在")  # first letters of patterns.HEADER_START
_MARKER_FIRST = frozenset("-*>_BbAaDdIiVv")  # first letters of patterns.FORWARDED
_INDENT = (" ", "\t")  # with ">": the first characters of a line patterns.QUOTE_LINE can match


class _Doc:
    """Lines of a body with their offsets, stripped contents and the kind found so far."""

    __slots__ = (
        "header_start",
        "kinds",
        "lines",
        "n",
        "quoted",
        "simple",
        "starts",
        "stripped",
        "text",
    )

    def __init__(self, text: str) -> None:
        self.text = text
        # each line ends in exactly one line break (any of _EOL)
        self.lines = lines = text.splitlines()
        self.n = n = len(lines)
        self.simple = "\r" not in text and text.count("\n") == n - (not text.endswith("\n"))
        if self.simple:
            # every break is one "\n" (any other one would make another line): each line
            # starts one character after the end of the one before. All in C, without the
            # second splitlines(keepends=True) this otherwise takes
            starts = list(map(add, accumulate(map(len, lines), initial=0), count()))
        else:
            starts = list(accumulate(map(len, text.splitlines(keepends=True)), initial=0))
        starts.pop()
        self.starts = starts
        # computed once: every pass below asks for the stripped line and its quote mark
        self.stripped = list(map(str.strip, lines))
        if ">" in text:
            # a line starting with ">" is quoted (QUOTE_LINE); an indented one asks the regex
            match = P.QUOTE_LINE.match
            self.quoted = [ln[:1] == ">" or (ln[:1] in _INDENT and match(ln) is not None)
                           for ln in lines]
        else:  # no line can be quoted: one substring search instead of a test per line
            self.quoted = [False] * self.n
        self.kinds: list[str | None] = [None] * self.n
        self.header_start = -1

    def blank(self, i: int) -> bool:
        return not self.stripped[i]

    def next_nonblank(self, i: int, limit: int | None = None) -> int | None:
        end = self.n if limit is None else min(self.n, limit)
        stripped = self.stripped
        for j in range(i, end):
            if stripped[j]:
                return j
        return None


# --------------------------------------------------------------------------- detectors


def _is_quoted(line: str) -> bool:
    return bool(P.QUOTE_LINE.match(line))


def _reply_header_end(doc: _Doc, i: int) -> int | None:
    """If a reply header ("On ... wrote:", wrapped or not) starts at line i, return its last line."""
    s = doc.stripped[i]
    if not s or len(s) > 300 or doc.quoted[i]:
        return None
    if _wrote_end(s):
        # a sentence ending in "wrote:" ("As Ann wrote:") is a header too: it introduces a quote
        return _extend_back(doc, i)
    if s[-1] in ":：" and P.ADDRESS_COLON_END.search(s[-120:]) and P.HAS_DIGIT.search(s):
        return i
    if (s[-1] in ":：" and s[0] in _HEADER_FIRST and P.HEADER_START.match(s)
            and P.HAS_DIGIT.search(s) and P.VERB_NAME_END.search(s[-160:])):
        return i
    if s[0].isdigit() and P.ISO_DATE_HEADER.match(s):
        return i
    if s[0] in _HEADER_FIRST and P.HEADER_START.match(s) and P.HAS_DIGIT.search(s) and len(s) < 200:
        joined = s
        seen = 0
        for j in range(i + 1, min(doc.n, i + 1 + _HEADER_LOOKAHEAD + 2)):
            t = doc.stripped[j]
            if not t:
                continue
            if doc.quoted[j] and not P.WRAPPED_ADDRESS_END.match(t):
                if len(t) < 40 and _wrote_end(t):
                    return j
                return None
            seen += 1
            if seen > _HEADER_LOOKAHEAD:
                return None
            joined = joined + " " + t
            if len(joined) > 400:
                return None
            if _wrote_end(t) or P.ADDRESS_COLON_END.search(joined[-120:]) or P.WRAPPED_ADDRESS_END.match(t):
                return j
    return None


# The first two letters, lower case, of every ASCII starter in patterns.HEADER_START
# ("On", "Le", "In data", "W dniu", "Quoting", ...): with ASCII letters re.IGNORECASE and
# lower() agree, so a line starting otherwise cannot match it.
_HEADER_TWO = frozenset(("on", "le", "am", "el", "em", "il", "in", "op", "de", "dn", "w ", "at",
                         "qu", "ci", "zi", "cy"))


def _may_start_header(s: str) -> bool:
    two = s[:2]
    return not two.isascii() or two[0] == "-" or two.lower() in _HEADER_TWO


# The same for patterns.FORWARDED, whose starters after a letter are "Begin", "Anfang",
# "Début", "Doorgestuurd", "Inicio/Início/Inizio" and "Vidarebefordrat": prose lines starting
# with "I", "A", "Do"... no longer reach the regex (same results).
_FORWARD_TWO = frozenset(("be", "an", "do", "in", "vi"))


_LETTER_FIRST = _MARKER_FIRST | _HEADER_FIRST


def _may_forward(s: str) -> bool:
    two = s[:2]
    return s[0] in "-*>_" or not two.isascii() or two.lower() in _FORWARD_TWO


_HEADER_LAST = ":：-"  # last characters of a line _wrote_end or the header tests accept
_WROTE_TAILS = ("wrote", "writes", "schrieb", "skrev")


def _wrote_end(s: str) -> bool:
    """Cheap tests first (most lines do not end like a header), then the verb regex."""
    if not s or not (s[-1] in _HEADER_LAST or s.endswith(_WROTE_TAILS)):
        return False
    if not s.rstrip(":：- \t"):
        # only dashes and colons ("--", "-----"): no verb, no match. Half of the regex calls
        # on gen_mbox were "--" signature separators (10k of 21k for 20k messages)
        return False
    return bool(P.WROTE_END_F.search(s[-120:]))


def _extend_back(doc: _Doc, i: int) -> int:
    """A header wrapped by the mailer ("20 окт. 2016 г. 19:37 ... <\nmeta@x.com> написал:")
    starts on the line above: the start is recorded on the doc for _find_cut."""
    doc.header_start = i
    if i > 0 and doc.kinds[i - 1] is None:
        prev = doc.stripped[i - 1]
        if (prev and len(prev) < 150 and not prev.endswith((".", "!", "?"))
                and not doc.quoted[i - 1] and P.HAS_DIGIT.search(prev)
                and (prev.endswith(("<", ",", "\"")) or "@" in prev or ":" in prev)):
            doc.header_start = i - 1
    return i


def _field_kind(line: str) -> str | None:
    head = line[:40]
    if ":" not in head and "：" not in head:
        return None
    if P.HDR_FROM.match(line):
        return "from"
    if P.HDR_SENT.match(line):
        return "sent"
    if P.HDR_SUBJ.match(line):
        return "subj"
    if P.HDR_TO.match(line):
        return "to"
    return None


def _header_block(doc: _Doc, i: int) -> bool:
    """True when an Outlook/Lotus header block ("From:/Sent:/To:/Subject:") starts at line i."""
    first = _field_kind(doc.lines[i])
    if first is None:
        return False
    found = {first}
    gaps = 0
    for j in range(i + 1, min(doc.n, i + 10)):
        if not doc.stripped[j]:
            gaps += 1
            if gaps > 2:
                break
            continue
        k = _field_kind(doc.lines[j])
        if k:
            found.add(k)
    if len(found) < 2:
        return False
    return "from" in found or {"to", "subj"} <= found or {"sent", "subj"} <= found


def _lotus_prefix(doc: _Doc, i: int) -> int:
    """Lotus Notes puts the sender's name and a date on bare lines above "To:": include them."""
    j = i
    while j > 0 and i - j < 3:
        t = doc.stripped[j - 1]
        if not t or len(t) > 60 or doc.kinds[j - 1] is not None:
            break
        j -= 1
    return j


def _find_cut(doc: _Doc, lo: int, hi: int) -> tuple[int, str, int] | None:
    """First line in [lo, hi) where an embedded message starts: (line, kind, header_end)."""
    seen_new = False
    kinds, stripped, quoted, lines = doc.kinds, doc.stripped, doc.quoted, doc.lines
    i = lo
    while i < hi:
        if kinds[i] is not None:
            i += 1
            continue
        s = stripped[i]
        if not s:
            i += 1
            continue
        if quoted[i]:
            seen_new = True
            # the quoted lines after it do nothing here either (new text already seen): jump
            # to the next unquoted line in C (long quoted tails of real replies)
            try:
                i = quoted.index(False, i + 1, hi)
            except ValueError:
                i = hi
            continue
        c0 = s[0]
        # _may_forward and _may_start_header, inlined; their first two letters are only
        # read when the first one is a starter's (most lines are prose and stop below)
        low2 = None
        if c0 in _LETTER_FIRST:
            two = s[:2]
            low2 = two.lower() if two.isascii() else ""  # "": a non-ASCII start, let through
        if (c0 in _MARKER_FIRST and (c0 in "-*>_" or not low2 or low2 in _FORWARD_TWO)
                and P.FORWARDED.match(s)):
            return i, "forwarded", i
        if c0 in "-*_>" and P.ORIGINAL_MESSAGE.match(s):
            return i, "quote", i
        if c0 in "-_*" and (P.UNDERSCORE_SEP.match(s) or P.DASH_SEP.match(s)):
            j = doc.next_nonblank(i + 1, i + 4)
            if j is not None and _header_block(doc, j):
                return i, "quote", i
        head = lines[i][:40]
        if (":" in head or "：" in head) and _header_block(doc, i):
            start = i
            if _field_kind(lines[i]) == "to":
                start = _lotus_prefix(doc, i)
            return start, "quote", start
        # _reply_header_end finds nothing unless the line ends like a header, starts with a
        # digit or with a header starter's first letter: skip the call for plain prose
        # (same results; most lines of a body are prose)
        if not (s[-1] in _HEADER_LAST or c0.isdigit() or s.endswith(_WROTE_TAILS)
                or (c0 in _HEADER_FIRST and (not low2 or c0 == "-" or low2 in _HEADER_TWO))):
            seen_new = True
            i += 1
            continue
        doc.header_start = -1
        end = _reply_header_end(doc, i)
        if end is not None:
            if 0 <= doc.header_start < i:
                i = doc.header_start
            j = doc.next_nonblank(end + 1)
            if j is None or doc.quoted[j] or not seen_new:
                for k in range(i, end + 1):
                    doc.kinds[k] = "reply_header"
                i = end + 1
                continue
            return i, "quote", end
        seen_new = True
        i += 1
    return None


def _last_run(seq: list[str], want: list[str]) -> int | None:
    """The last position a in ``seq`` (the non-blank stripped lines) where want starts.

    Candidates are the lines equal to want[0], found by list.index (C) rather than by a
    comparison of every line in Python: r-sig-meta-analysis carries a dozen list footers that
    all start with common lines ("_____", "[[alternative HTML version deleted]]"), and the
    per-position comparison was the largest part of segment() there."""
    m = len(want)
    first, last = want[0], len(seq) - m
    found = None
    a = -1
    for _ in range(seq[: last + 1].count(first)):  # as many look-ups as there are candidates
        a = seq.index(first, a + 1, last + 1)
        if seq[a : a + m] == want:
            found = a
    return found


@functools.lru_cache(maxsize=4096)
def _footer_block(block: str) -> tuple[tuple[str, ...], str]:
    """A footer block's non-blank stripped lines and its kind, computed once per block."""
    want = tuple(ln.strip() for ln in block.splitlines() if ln.strip())
    kind = "disclaimer" if len(P.DISCLAIMER_WORDS.findall(block)) >= 2 else "footer"
    return want, kind


@functools.lru_cache(maxsize=256)
def _footer_blocks(footers: tuple[str, ...]) -> tuple[tuple[str, str, list[str], str], ...]:
    """(first line, last line, lines, kind) of each non-empty block of a list's footers: one
    cache look-up per message instead of one per footer."""
    out = []
    for block in footers:
        want, kind = _footer_block(block)
        if want:
            out.append((want[0], want[-1], list(want), kind))
    return tuple(out)


def _mark_footers(doc: _Doc, footers: Sequence[str]) -> int:
    """Mark given footer blocks and list footers; return the line where trailing footers start."""
    stripped = doc.stripped
    kinds = doc.kinds
    if footers:
        present = set(stripped)
        nonblank: list[int] = []
        seq: list[str] = []
        for first, last, want, kind in _footer_blocks(tuple(footers)):
            if first not in present or last not in present:
                continue  # cheap rejection: most messages carry few of a list's footers
            if not nonblank:
                nonblank = list(compress(range(doc.n), stripped))
                seq = list(filter(None, stripped))
            a = _last_run(seq, want)
            if a is not None:
                for i in range(nonblank[a], nonblank[a + len(want) - 1] + 1):
                    kinds[i] = kind
    tail = doc.n
    # Only lines starting with "[", "Y", "T" or "-" (HTML_DELETED, FOOTER_START; a lower-case
    # "you"/"to" line never reaches FOOTER_START below) or holding "__________" can start a
    # footer: the other lines are passed over with one or two tests
    under = "__________" in doc.text
    for i, s in enumerate(stripped):
        if not s:
            continue
        c0 = s[0]
        if c0 not in "[YT-" and not (under and "__________" in s):
            continue
        if kinds[i] is not None:
            continue
        if c0 == "[" and P.HTML_DELETED.match(s):
            kinds[i] = "footer"
            continue
        if c0 not in "_>*YT-[" and "_" not in s[:4]:
            continue
        # substring and first-letter checks before each regex (quoted lines get here)
        # FOOTER_START's starters after a letter are "You received" and "To unsubscribe":
        # the other "T..." lines of prose stop at the two-letter test
        if (("__________" in s and P.UNDERSCORE_SEP.match(s.lstrip(">").strip()))
                or (c0 in "YyTt-[" and (c0 in "-[" or s[:2].lower() in ("yo", "to"))
                    and P.FOOTER_START.match(s))):
            window = " ".join(stripped[i : i + 5])
            if P.FOOTER_START.match(s) or P.MAILMAN_FOOTER_HINT_F.search(window):
                end = _block_end(doc, i, 8)
                for k in range(i, end):
                    kinds[k] = "footer"
                if end >= doc.n or all(not stripped[k] or kinds[k] for k in range(end, doc.n)):
                    tail = min(tail, i)
    while tail > 0 and (not stripped[tail - 1] or kinds[tail - 1] in ("footer", "disclaimer")):
        tail -= 1
    return tail


def _block_end(doc: _Doc, i: int, max_lines: int) -> int:
    """End (exclusive) of the footer-like block starting at i: up to a blank line after max_lines."""
    j = i
    count = 0
    while j < doc.n:
        if not doc.stripped[j]:
            if count >= max_lines:
                break
            nxt = doc.next_nonblank(j)
            if nxt is None or nxt - j > 2:
                break
        else:
            count += 1
        j += 1
    return j


def _mark_quotes(doc: _Doc, lo: int, hi: int) -> None:
    kinds, quoted = doc.kinds, doc.quoted
    for i in range(lo, hi):
        if quoted[i] and kinds[i] is None:
            kinds[i] = "quote"
    # "|" and ":" quoting only in blocks of at least three such lines
    firsts = None
    for rx, mark in ((P.PIPE_LINE, "|"), (P.COLON_LINE, ":")):
        # cheap pre-checks: such a line's stripped text starts with the mark, so the text
        # holds the mark three times at least (one C count; "|" is rare in mail)
        if doc.text.count(mark) < 3:
            continue
        if firsts is None:
            firsts = [t[:1] for t in doc.stripped[lo:hi]]
        if firsts.count(mark) < 3:
            continue
        i = lo
        while i < hi:
            j = i
            while j < hi and doc.kinds[j] is None and rx.match(doc.lines[j]) and not doc.lines[j].rstrip().endswith("|"):
                j += 1
            if j - i >= 3:
                for k in range(i, j):
                    doc.kinds[k] = "quote"
            i = max(j, i + 1)


def segment(text: str, *, footers: Sequence[str] = (), lang: str | None = None) -> Cleaned:
    """Segment one message body. ``footers`` are exact blocks (from :func:`learn_footers`)."""
    doc = _Doc(text)
    if doc.n == 0:
        return Cleaned((), "", "", "")
    tail = _mark_footers(doc, footers)
    mark_code_and_logs(doc.lines, doc.kinds, 0, tail, doc.stripped)
    cut = _find_cut(doc, 0, tail)
    if cut is not None:
        start, kind, header_end = cut
        for k in range(start, tail):
            if doc.kinds[k] in (None, "code", "log"):
                doc.kinds[k] = kind
        if kind == "quote":
            for k in range(start, header_end + 1):
                doc.kinds[k] = "reply_header"
        tail = start
    _mark_quotes(doc, 0, tail)
    mark_tail(doc, 0, tail)
    return _build(doc)


_QUOTE_PREFIX_M = re.compile(P.QUOTE_PREFIX.pattern, re.MULTILINE)


def _build(doc: _Doc) -> Cleaned:
    kinds = _filled(doc)
    text, starts = doc.text, doc.starts
    # segments change where a line's kind differs from the one before (found in C)
    cuts = [0, *compress(range(1, doc.n), map(ne, kinds[1:], kinds[:-1]))]
    ends = [starts[i] for i in cuts[1:]]
    ends.append(len(text))
    segs = [Segment(kinds[i], starts[i], e) for i, e in zip(cuts, ends)]
    new_parts: list[str] = []
    quoted: list[str] = []
    sig: list[str] = []
    last_end = -1
    for s in segs:
        if s.kind in NEW_TEXT_KINDS:
            piece = text[s.start : s.end]
            if new_parts and s.start != last_end:
                new_parts.append("\n\n")
            new_parts.append(piece)
            last_end = s.end
        elif s.kind == "quote":
            # one substitution per block ("^" per line; the prefix never crosses a line end)
            if doc.simple:  # the lines joined by "\n" are the slice itself, less its last break
                block = text[s.start : s.end]
                quoted.append(_QUOTE_PREFIX_M.sub("", block[:-1] if block[-1] == "\n" else block))
            else:
                quoted.append(_QUOTE_PREFIX_M.sub("", "\n".join(text[s.start : s.end].splitlines())))
        elif s.kind == "signature":
            sig.append(text[s.start : s.end])
    return Cleaned(
        tuple(segs),
        "".join(new_parts).strip(),
        "\n".join(quoted).strip(),
        "\n".join(x.strip() for x in sig).strip(),
    )


_HOLDING = frozenset(("quote", "forwarded", "signature", "footer", "disclaimer"))


def _filled(doc: _Doc) -> list[str]:
    """The kind of every line. Blank lines without one take the kind of the line before
    them, or of the one after when they lead the text; a blank gap between two new-text
    lines stays new. Non-blank lines without one are new.

    Only the blank lines without a kind are visited one by one (a list comprehension
    gives the others their kind): the per-line loop was a tenth of segment() on
    r-sig-meta-analysis, whose bodies run to 100 lines."""
    stripped = doc.stripped
    # "" marks a blank line still without a kind
    kinds: list[str] = [k or (t and "new") for k, t in zip(doc.kinds, stripped)]
    if "" not in kinds:
        return kinds
    n = doc.n
    gap_end = -1  # the non-blank line after the gap being filled (n: none)
    fill = ""
    for j in [i for i, k in enumerate(kinds) if not k]:
        if j > gap_end:  # a new gap: its kind from the non-blank lines around it
            p = j - 1
            while p >= 0 and not stripped[p]:
                p -= 1
            q = j + 1
            while q < n and not stripped[q]:
                q += 1
            gap_end = q
            prev = kinds[p] if p >= 0 else None
            if q == n:
                fill = prev or "new"
            else:
                k = kinds[q]
                fill = prev if prev is not None else k
                if prev is not None and prev != k and prev not in _HOLDING:
                    fill = k if k in NEW_TEXT_KINDS and prev in NEW_TEXT_KINDS else prev
        kinds[j] = fill
    return kinds
