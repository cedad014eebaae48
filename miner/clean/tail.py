"""The author's own part of a body: salutation, disclaimers, signature and closing.

Works on runs of still-unclassified lines (the text between quotes, headers and
footers), so an inline reply's paragraphs stay new and a signature above a
top-posted quote is still found.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import compress, repeat
from operator import is_, ne

from miner.clean import patterns as P

_FORM_FIELD = re.compile(r"^\w[\w ]{1,30}?\s+:\s")

_MAX_SIG_LINES = 20  # a "-- " block longer than this is prose, not a signature
_MAX_MOBILE_TAIL = 40
_MAX_AFTER_CLOSING = 12
_FOOTER_HINTS = ("subscri", "received this", "removed from", "sent to", "yahoo", "get ", "preferences",
                 "browser", "désabonn", "baja", "abmelden", "afmelden", "désinscri")
_DISCLAIMER_HINTS = ("confiden", "intended", "privileg", "virus", "recipient", "destinat", "vertrau",
                     "riservat", "poufn", "конфиденц", "disclaimer", "error", "irrtüm", "sekretess",
                     "empfänger", "adresat", "důvěrn", "bizalmas", "luottamuk", "адресат", "unauthori")

# The ASCII words of patterns.DISCLAIMER_STRONG, lower case: in ASCII text (where lower()
# and re.IGNORECASE agree) a paragraph without any of them cannot be a disclaimer.
_STRONG_ASCII = ("intended", "privileged", "in error", "notify", "delete", "dissemination",
                 "distribution", "disclosure", "unauthori", "virus", "destinat", "riservat",
                 "geadresseerde", "adresat")


# The other words of patterns.DISCLAIMER_STRONG, and the characters (as lower() leaves them)
# that re.IGNORECASE matches to a letter of a strong word other than the letter itself (found
# by trying every code point; a test does it again). Without any of these in the lower-cased
# paragraph, no strong word can be in a phrase found there, whatever the script: the phrase
# scan (IGNORECASE on non-ASCII text, ~0.7 us a character) is skipped, same results.
_STRONG_OTHER = ("irrtümlich", "empfänger", "адресат")
_STRONG_FOLDS = ("ı", "ſ", "\u1c81", "\u1c83", "\u1c84", "\u1c85")


def _has_hint(low: str, hints: tuple[str, ...]) -> bool:
    # C substring searches: measured 2.4x faster than one regex alternation of the hints
    # (a plain loop: any() over a generator costs a frame switch per hint)
    for h in hints:
        if h in low:
            return True
    return False


# First letters (lower case) of every MOBILE_SIG alternative that starts with an ASCII
# letter. A line starting with another ASCII character cannot match (unless it opens with a
# bracket the pattern skips, or holds the "\S*我的" form): most lines are rejected without
# the regex, with the same results.
_MOBILE_FIRST = frozenset("sgevdiwlof")
# ASCII first characters that rule a line out (one set lookup per line)
_MOBILE_REJECT = frozenset(chr(i) for i in range(128)
                           if chr(i).lower() not in _MOBILE_FIRST and chr(i) not in "(<[")


# The first two letters, lower case, of every MOBILE_SIG alternative that starts with two
# ASCII letters ("Sent", "Get Outlook", "Envoyé", "Von meinem", "Diese Nachricht", "Inviato",
# "Verzonden", "Skickat", "Wysłane", "Odesláno", "Elküldve", "iPhone", "Someone", "From my"):
# prose lines starting "If", "We", "So", "Do"... stop here. With ASCII letters re.IGNORECASE
# and lower() agree; a non-ASCII pair, an opening bracket or "我的" goes to the regex.
_MOBILE_TWO = frozenset(("se", "ge", "en", "vo", "di", "in", "ve", "sk", "wy", "od", "el", "ip",
                         "so", "fr"))


def _may_mobile(s: str) -> bool:
    """False when ``s`` (stripped, non-empty) cannot match MOBILE_SIG (same results, no regex)."""
    if s[0] in _MOBILE_REJECT and "我的" not in s:
        return False
    two = s[:2]
    return not two.isascii() or two.lower() in _MOBILE_TWO or s[0] in "(<[" or "我的" in s


def _mobile_sig(s: str) -> bool:
    return _may_mobile(s) and P.MOBILE_SIG_F.match(s) is not None


def _runs(doc, lo: int, hi: int) -> list[tuple[int, int]]:
    """Maximal runs of lines with no kind yet (blank lines included)."""
    kinds = doc.kinds
    if lo >= hi:
        return []
    if kinds.count(None) == len(kinds):  # nothing marked yet: one run
        return [(lo, hi)]
    # where "no kind yet" changes, found in C (map and compress) rather than line by line
    free = list(map(is_, kinds[lo:hi], repeat(None)))
    edges = [0, *compress(range(1, len(free)), map(ne, free[1:], free[:-1])), len(free)]
    return [(lo + edges[k], lo + edges[k + 1]) for k in range(len(edges) - 1) if free[edges[k]]]


def _nonblank(doc, a: int, b: int) -> list[int]:
    return list(compress(range(a, b), doc.stripped[a:b]))  # in C


def _paragraphs(doc, a: int, b: int) -> list[list[int]]:
    paras: list[list[int]] = []
    cur: list[int] = []
    stripped = doc.stripped
    for i in range(a, b):
        if stripped[i]:
            cur.append(i)
        elif cur:
            paras.append(cur)
            cur = []
    if cur:
        paras.append(cur)
    return paras


def _contact_line(s: str) -> bool:
    return bool(P.EMAIL.search(s) or P.URL_F.search(s) or P.PHONE_LABEL_F.search(s)
                or (P.PHONE_F.search(s) and sum(c.isdigit() for c in s) >= 7 and len(s) < 50))


def _sig_like_block(doc, idx: list[int]) -> bool:
    """A short block of short lines with contact details or an organisation/address line."""
    if not 2 <= len(idx) <= 10:
        return False
    lines = [doc.stripped[i] for i in idx]
    if any(len(s) > 75 for s in lines):
        return False
    if sum(1 for s in lines if s.endswith((".", "?", "!")) and len(s) > 40) >= 1:
        return False
    if any(len(s.split()) > 8 and not _contact_line(s) for s in lines):
        return False
    if sum(1 for s in lines if _FORM_FIELD.match(s)) * 2 >= len(lines):
        return False  # a form ("Request ID : 42"), not a signature
    contact = sum(1 for s in lines if _contact_line(s))
    org = sum(1 for s in lines if P.ADDRESS_HINT_F.search(s))
    return contact >= 1 or (org >= 1 and len(lines) >= 3)


def _mark(doc, a: int, b: int, kind: str) -> None:
    for i in range(a, b):
        if doc.kinds[i] is None:
            doc.kinds[i] = kind


def _disclaimers(doc, a: int, b: int, low: str) -> int:
    """Mark disclaimer paragraphs; return the new end of the run (before a trailing disclaimer).

    ``low`` is the run's stripped lines joined by blanks, lower case: hints hold no blank, so
    a paragraph has one only if ``low`` has (one scan per run)."""
    end = b
    first = None  # the first line marked
    for para in _paragraphs(doc, a, b) if _has_hint(low, _DISCLAIMER_HINTS) else ():
        text = " ".join(doc.lines[i] for i in para)
        if len(text) < 80:
            continue
        low = text.lower()
        if not _has_hint(low, _DISCLAIMER_HINTS):
            continue
        if not (_has_hint(low, _STRONG_ASCII) or _has_hint(low, _STRONG_OTHER)
                or _has_hint(low, _STRONG_FOLDS)):
            continue  # no hit can hold a strong word: skip the slow alternation (same result)
        words = P.DISCLAIMER_WORDS_F
        if _disclaimer_words(words.low.finditer(low) if text.isascii() else words.rx.finditer(text)):
            for i in range(para[0], para[-1] + 1):
                doc.kinds[i] = "disclaimer"
            if first is None:
                first = para[0]
    if first is not None:  # the run held no disclaimer before: the first one marked
        end = first
    while end > a and (doc.kinds[end - 1] == "disclaimer" or not doc.stripped[end - 1]):
        end -= 1
    return end


def _disclaimer_words(found: Iterator[re.Match[str]]) -> bool:
    """Two different disclaimer phrases, one of them strong. The scan stops as soon as that
    holds (a later hit cannot undo it): the full finditer over long paragraphs was 6 % of
    segment() on gen_mbox."""
    hits: set[str] = set()
    strong = False
    search = P.DISCLAIMER_STRONG_F.search
    for m in found:
        h = m.group(0).lower()
        if h in hits:
            continue
        hits.add(h)
        strong = strong or search(h) is not None
        if strong and len(hits) >= 2:
            return True
    return False


def _content_footer(doc, a: int, b: int, low: str) -> int:
    """A trailing newsletter/list footer ("You are currently subscribed to...").

    ``low``: the stripped lines of a run starting at ``a`` and ending at ``b`` or later,
    joined by blanks, lower case. Every paragraph tested below, joined the same way, is a
    part of it, so a hint missing from ``low`` is missing from them all (most bodies)."""
    if not _has_hint(low, _FOOTER_HINTS):
        return b
    paras = _paragraphs(doc, a, b)
    n_lines = sum(len(p) for p in paras)
    seen = 0
    candidates = []
    for k, para in enumerate(paras):
        seen += len(para)
        rest = n_lines - seen + len(para)  # non-blank lines from this paragraph on
        if k == 0 or rest > 40 or seen * 3 < n_lines:
            continue  # not a trailing footer whatever it says: skip the text tests
        candidates.append((para, " ".join([doc.stripped[i] for i in para])))
    # One hint scan over all candidates first (no hint holds a line break, so a hint is in
    # the "\n"-joined text exactly when it is in some paragraph): usually there is none.
    if not candidates or not _has_hint("\n".join(t for _, t in candidates).lower(),
                                       _FOOTER_HINTS):
        return b
    for para, text in candidates:
        if _has_hint(text.lower(), _FOOTER_HINTS) and P.FOOTER_CONTENT_F.search(text):
            _mark(doc, para[0], b, "footer")
            return para[0]
    return b


def _sig_delims(doc, a: int, b: int) -> list[int]:
    """The lines in [a, b) that SIG_DELIM matches ("--", "-- ", "__" at the line start, then
    only blanks), in order: the stripped line is "--" or "__" and the line does not start
    with a blank. Found by list.index (C) instead of a test of every line in Python."""
    stripped, lines = doc.stripped, doc.lines
    out = []
    for mark in ("--", "__"):
        if mark not in doc.text:
            continue
        i = a - 1
        for _ in range(stripped[a:b].count(mark)):  # as many look-ups as there are lines
            i = stripped.index(mark, i + 1, b)
            if lines[i][0] == mark[0]:
                out.append(i)
    out.sort()
    return out


def _signature(doc, a: int, b: int, last: bool) -> int:
    """Mark the signature in run [a, b); return where the author's text ends."""
    stripped = doc.stripped
    for i in _sig_delims(doc, a, b):
        rest = _nonblank(doc, i + 1, b)
        if len(rest) <= _MAX_SIG_LINES:
            _mark(doc, i, b, "signature")
            b = i
            break
    for i in range(a, b):
        s = stripped[i]
        if not s or len(s) >= 110 or (s[0] in _MOBILE_REJECT and "我的" not in s):
            continue  # _may_mobile, inlined: most lines stop here
        if not _may_mobile(s):
            continue
        if P.MOBILE_SIG_F.match(s) and len(_nonblank(doc, i, b)) <= _MAX_MOBILE_TAIL:
            _mark(doc, i, b, "signature")
            b = i
            break
    nb = _nonblank(doc, a, b)
    if not nb:
        return b
    # closing ("Best regards,") near the end: it and the name after it are closing,
    # what follows the name is the signature
    for pos in range(len(nb) - 1, max(-1, len(nb) - 1 - _MAX_AFTER_CLOSING), -1):
        i = nb[pos]
        s = doc.stripped[i]
        if len(s) > 60 or not P.CLOSING_F.match(s):
            continue
        if pos > 0 and nb[pos - 1] == i - 1 and not doc.lines[i - 1].rstrip().endswith((".", "!", "?", ":", ")")):
            continue  # "Thanks" inside a sentence that wraps
        after = nb[pos + 1 :]
        doc.kinds[i] = "closing"
        if not after:
            return b
        name = after[0]
        if len(doc.stripped[name]) <= 40 and not _contact_line(doc.lines[name]):
            doc.kinds[name] = "closing"
            rest = after[1:]
        else:
            rest = after
        if rest:
            if len(rest) <= 2 and all(len(doc.stripped[k]) <= 30 for k in rest) and not any(
                _contact_line(doc.lines[k]) for k in rest
            ):
                sig_like = _sig_like_block(doc, after) or len(rest) == 2
            else:
                sig_like = True
            if sig_like:
                _mark(doc, rest[0], b, "signature")
                return rest[0]
            for k in rest:
                doc.kinds[k] = "closing"
        return b
    if not last:
        return b
    # no closing: a trailing block that reads like a signature
    paras = _paragraphs(doc, a, b)
    if not paras:
        return b
    blk = paras[-1]
    if (len(paras) >= 2 or (len(blk) >= 3 and P.NAME_LINE.match(doc.lines[blk[0]]))) and _sig_like_block(doc, blk):
        _mark(doc, blk[0], b, "signature")
        return blk[0]
    # or one glued under the last sentence: "...thanks.\nAnn Lee\n713-555-0100"
    k = len(blk)
    while k > 0 and len(doc.stripped[blk[k - 1]]) <= 45 and not doc.lines[blk[k - 1]].rstrip().endswith((".", "?", "!", ",")):
        k -= 1
    for j in range(k, len(blk) - 1):
        if P.NAME_LINE.match(doc.lines[blk[j]]):
            tail = blk[j:]
            if 2 <= len(tail) <= 8 and any(_contact_line(doc.lines[i]) for i in tail[1:]):
                _mark(doc, tail[0], b, "signature")
                return tail[0]
            break
    return b


def _salutation(doc, a: int, b: int, first: bool) -> None:
    end = min(b, a + 40)
    i = doc.next_nonblank(a, end)
    if i is None:
        return
    s = doc.stripped[i]
    if len(s) > 70:
        return
    if i + 1 < end and doc.stripped[i + 1] and not s.endswith((",", ":", "!", "-", "—")):
        return  # first line of a paragraph, not a salutation line
    if P.SALUTATION_F.match(s) and (first or not P.SALUTATION_STRICT.match(s) or s.endswith(",")):
        if P.SALUTATION_STRICT.match(s) and not first:
            return
        doc.kinds[i] = "salutation"


def mark_tail(doc, lo: int, hi: int) -> None:
    stripped = doc.stripped
    runs = [(a, b) for a, b in _runs(doc, lo, hi) if any(stripped[a:b])]
    for n, (a, b) in enumerate(runs):
        last = n == len(runs) - 1
        low = " ".join(stripped[a:b]).lower()
        b2 = _disclaimers(doc, a, b, low)
        if last:
            b2 = _content_footer(doc, a, b2, low)
        _signature(doc, a, b2, last)
        if n == 0:
            _salutation(doc, a, b2, first=True)
