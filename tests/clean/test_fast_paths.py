"""The fast paths of miner.clean give the results of the plain code they replace.

Each test states the plain form (a regex per line, a loop over every line) and checks the
fast one against it on crafted and generated inputs, including the Unicode case folds that
reach ASCII letters ('K' for k, 'ſ' for s, 'İ' and 'ı' for i).
"""
from __future__ import annotations

import string
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from miner.clean import patterns as P

DATA = Path(__file__).resolve().parent.parent / "data" / "clean"

_ODD = "Kſİı"
_LINES = [
    "On Mon, Jan 1, 2024 at 10:00, Ann Lee <ann@example.org> wrote:",
    "Am 30.08.2017 14:05, schrieb Wolfgang Viechtbauer:", "Le 3 mars 2020, Jean a écrit :",
    "2016-10-24 15:36 GMT+02:00 Foo <a@b.c>:", "El lun, 3 feb 2020, Ana escribió:",
    "As Ann wrote:", "Best regards,", "Kind regards", "Saygılarımla,", "saygilarimla",
    "Mit freundlichen Grüßen", "Thanks!", "Cheers, Bob", "Sent from my iPhone",
    "Get Outlook for Android", "Envoyé de mon iPhone", "Von meinem iPhone gesendet",
    "Tel: +1 713 555 0100", "phone (713) 555-0100", "Fax 555 0100 1234", "www.example.org/x",
    "https://stat.ethz.ch/mailman/listinfo/r-sig-meta-analysis", "Department of Biology",
    "University of Freiburg, P.O. Box 12", "Example Corp Ltd.",
    "This e-mail is confidential and intended solely for the use of the addressee.",
    "If you have received this email in error please notify the sender and delete it.",
    "Any dissemination or distribution is prohibited. Unauthorised use. Viruses.",
    "You are currently subscribed to gov-cop as a@b.org. To unsubscribe send a blank email.",
    "R-sig-meta-analysis mailing list", "Hi all,", "Dear Dr. Smith,", "Hello Ann -",
    "Yazdı:", "wrote", "--", "plain prose with nothing in it at all, really.",
]


def _variants(line: str) -> list[str]:
    out = [line, line.upper(), line.lower(), line.swapcase()]
    for odd in _ODD:  # an odd fold in place of each letter it folds to
        ascii_ = {"K": "kK", "ſ": "sS", "İ": "iI", "ı": "iI"}[odd]
        out += ["".join(odd if c in ascii_ else c for c in line)]
    return out


def _folded_twins() -> list[P.Folded]:
    return [getattr(P, n) for n in dir(P) if n.endswith("_F")]


def test_folded_twins_find_what_the_ignorecase_pattern_finds():
    twins = _folded_twins()
    assert len(twins) >= 10
    lines = [v for line in _LINES for v in _variants(line)]
    lines += (DATA / "top_posted_outlook.txt").read_text().splitlines()
    hits = 0
    for f in twins:
        for s in lines:
            want, got = f.rx.search(s), f.search(s)
            assert (want is None) == (got is None), (f.rx.pattern[:40], s)
            if want is not None:
                hits += 1
                assert want.span() == got.span(), (f.rx.pattern[:40], s)
            assert (f.rx.match(s) is None) == (f.match(s) is None), (f.rx.pattern[:40], s)
    assert hits > 100  # the lines do exercise the patterns


def test_folded_twin_keeps_the_folds_to_ascii_letters():
    # "ı" in a pattern matches an ASCII "i" under IGNORECASE: the twin must too
    assert P.CLOSING.match("Saygilarimla,") and P.CLOSING_F.match("Saygilarimla,")
    assert P.WROTE_END.search("Ali yazdi:") and P.WROTE_END_F.search("Ali yazdi:")
    tw = P.Folded(P.re.compile(r"[A-C]ſ\S", P.re.IGNORECASE))
    assert tw.search("xbs!") and tw.rx.search("xbs!")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.ascii_letters + " :-,.@<>0123456789" + _ODD, max_size=60))
def test_folded_twins_on_generated_lines(s):
    for f in _folded_twins():
        assert (f.rx.search(s) is None) == (f.search(s) is None), (f.rx.pattern[:40], s)
        assert (f.rx.match(s) is None) == (f.match(s) is None), (f.rx.pattern[:40], s)


def test_forward_gate_lets_every_forward_marker_through():
    from miner.clean.segment import _MARKER_FIRST, _may_forward

    markers = ["Begin forwarded message:", "Anfang der weitergeleiteten Nachricht:",
               "Début du message réexpédié :", "Inicio del mensaje reenviado:",
               "Início da mensagem reencaminhada:", "Inizio messaggio inoltrato:",
               "Doorgestuurd bericht begint:", "Vidarebefordrat mejl:",
               "---------- Forwarded message ---------", "> ---- Forwarded Message ----",
               "*-- Weitergeleitete Nachricht --*", "------ Forwarded by Ann on 1/2/2003 -----"]
    lines = [v for m in markers for v in _variants(m)]
    lines += [a + b + m[2:] for m in markers for a in "BbAaDdIiVv-" for b in "eEnNoOiIé" + _ODD]
    matched = 0
    for s in lines:
        if s[0] in _MARKER_FIRST and P.FORWARDED.match(s):
            matched += 1
            assert _may_forward(s), s
    assert matched >= len(markers)


def test_mobile_gate_lets_every_mobile_signature_through():
    from miner.clean.tail import _may_mobile

    sigs = ["Sent from my iPhone", "Get Outlook for iOS", "Envoyé de mon iPhone",
            "Von meinem iPhone gesendet", "Gesendet von meinem Handy", "Diese Nachricht wurde "
            "von meinem Smartphone gesendet.", "Enviado desde mi iPhone", "Inviato da iPhone",
            "Verzonden met mijn telefoon", "Verstuurd vanaf mijn iPhone", "Skickat från min iPhone",
            "Sendt fra min iPhone", "Wysłane z iPhone'a", "Odesláno z iPhonu", "Elküldve iPhone-ról",
            "iPhone'umdan gönderildi", "iPhoneから送信", "Sent with Spark", "sent by phone",
            "Someone from mobile", "From my phone", "(Sent from my phone)", "[Sent via Android]",
            "Lähetetty iPhonesta", "Отправлено с iPhone", "…我的iPhone"]
    lines = [v for s in sigs for v in _variants(s)]
    lines += [a + b + s[2:] for s in sigs for a in string.ascii_letters + "(<[" for b in "eEnNoOiIkKpPrRyYdDlL"]
    matched = 0
    for s in lines:
        if P.MOBILE_SIG.match(s):
            matched += 1
            assert _may_mobile(s), s
    assert matched >= len(sigs)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["--", "-- ", " --", "__", "__\t", "---", "-- x", "", "text",
                                 "\t--", "--\u00a0"]), max_size=12), st.data())
def test_signature_delimiters_are_the_lines_the_regex_matches(lines, data):
    from miner.clean.segment import _Doc
    from miner.clean.tail import _sig_delims

    doc = _Doc("\n".join(lines) + "\n")
    a = data.draw(st.integers(0, doc.n))
    b = data.draw(st.integers(a, doc.n))
    want = [i for i in range(a, b) if doc.lines[i][:2] in ("--", "__") and P.SIG_DELIM.match(doc.lines[i])]
    assert _sig_delims(doc, a, b) == want


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", "_"]), max_size=30),
       st.lists(st.sampled_from(["a", "b", "c", "_"]), min_size=1, max_size=4))
def test_last_run_is_the_last_full_match(seq, want):
    from miner.clean.segment import _last_run

    m = len(want)
    plain = [a for a in range(len(seq) - m, -1, -1) if seq[a : a + m] == want]
    assert _last_run(seq, want) == (plain[0] if plain else None)


def _plain_fill(stripped: list[str], kinds: list[str | None]) -> list[str]:
    """segment._fill_blanks as it was: one loop over every line."""
    from miner.types import NEW_TEXT_KINDS

    kinds = list(kinds)
    prev: str | None = None
    pending: list[int] = []
    for i in range(len(stripped)):
        if stripped[i]:
            k = kinds[i] or "new"
            fill = prev if prev is not None else k
            if prev is not None and prev != k and prev not in ("quote", "forwarded", "signature",
                                                                "footer", "disclaimer"):
                fill = k if k in NEW_TEXT_KINDS and prev in NEW_TEXT_KINDS else prev
            for j in pending:
                kinds[j] = fill
            pending = []
            kinds[i] = k
            prev = k
        elif kinds[i] is None:
            pending.append(i)
    for j in pending:
        kinds[j] = prev or "new"
    return kinds


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", "x"]),
                          st.sampled_from([None, None, None, "quote", "signature", "closing",
                                           "salutation", "footer", "code", "reply_header"])),
                min_size=1, max_size=25))
def test_filled_kinds_equal_the_plain_loop(rows):
    from miner.clean.segment import _Doc, _filled

    doc = _Doc("\n".join(t for t, _ in rows) + "\n")
    doc.kinds = [k for _, k in rows]
    assert _filled(doc) == _plain_fill(doc.stripped, doc.kinds)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab >\n\r\x0b\x1c\u2028", max_size=40))
def test_line_starts_equal_the_keepends_split(text):
    from itertools import accumulate

    from miner.clean.segment import _Doc

    doc = _Doc(text)
    want = list(accumulate(map(len, text.splitlines(keepends=True)), initial=0))[:-1]
    assert doc.starts == want and doc.lines == text.splitlines()


def _plain_code_and_logs(lines: list[str], kinds: list, lo: int, hi: int) -> None:
    """technical.mark_code_and_logs as it was (a894241): a loop over every line."""
    from miner.clean.technical import (
        CODE_CHARS, EXC_LINE, FENCE, JAVA_FRAME, LOG_LINE, PY_PROMPT, R_CODE, TRACEBACK, _set,
    )

    i = lo
    while i < hi:
        if kinds[i] is not None:
            i += 1
            continue
        s = lines[i]
        st = s.lstrip()
        if not st:
            i += 1
            continue
        c0 = st[0]
        indented = s[0] in " \t"
        if c0 not in "`~TCa[0123456789>+.IDWEFt" and not indented:
            i += 1
            continue
        if c0 in "`~" and FENCE.match(s):
            j = i + 1
            while j < hi and not FENCE.match(lines[j]):
                j += 1
            if j < hi:
                _set(kinds, i, j + 1, "code")
                i = j + 1
                continue
        if c0 == "T" and TRACEBACK.match(s):
            j = i + 1
            while j < hi and (lines[j].startswith((" ", "\t")) or not lines[j].strip()):
                j += 1
            if j < hi and EXC_LINE.match(lines[j]):
                j += 1
            _set(kinds, i, j, "log")
            i = j
            continue
        if (indented or c0 == "C") and JAVA_FRAME.match(s):
            a = i - 1 if i > lo and EXC_LINE.match(lines[i - 1]) or (i > lo and "Exception" in lines[i - 1]) else i
            j = i
            while j < hi and (JAVA_FRAME.match(lines[j]) or EXC_LINE.match(lines[j])):
                j += 1
            if j - i >= 2:
                _set(kinds, max(lo, a), j, "log")
                i = j
                continue
        if c0 in "[0123456789IDWEFT" and LOG_LINE.match(s):
            j = i
            while j < hi and (LOG_LINE.match(lines[j]) or (j > i and lines[j].startswith((" ", "\t")) and lines[j].strip())):
                j += 1
            if j - i >= 2:
                _set(kinds, i, j, "log")
                i = j
                continue
        if s.startswith((">", "+", ">>>")):
            # prompt block: R ("> x <- 1", "+ ...", "[1] 2") or Python (">>> ", "... ")
            j = i
            code = prompts = 0
            while j < hi and lines[j].strip() and kinds[j] is None:
                t = lines[j]
                if t.startswith((">>>", "... ")):
                    prompts += 1
                    code += bool(PY_PROMPT.match(t))
                elif t.startswith((">", "+")):
                    prompts += 1
                    # R_CODE needs one of these characters: most quoted prose has none
                    code += bool(("=" in t or "(" in t or "<-" in t or "}" in t or "#" in t)
                                 and R_CODE.match(t))
                j += 1
            if prompts and code * 2 >= prompts and code >= 1 and not any(lines[k].startswith(">>") and not lines[k].startswith(">>>") for k in range(i, j)):
                _set(kinds, i, j, "code")
            i = max(j, i + 1)
            continue
        if s.startswith(("    ", "\t")) and s.strip():
            j = i
            codeish = 0
            while j < hi and (lines[j].startswith(("    ", "\t")) or (not lines[j].strip() and j + 1 < hi and lines[j + 1].startswith(("    ", "\t")))):
                codeish += bool(CODE_CHARS.search(lines[j]))
                j += 1
            nonblank = sum(1 for k in range(i, j) if lines[k].strip())
            if nonblank >= 2 and codeish * 2 >= nonblank and codeish >= 1:
                _set(kinds, i, j, "code")
                i = j
                continue
            i = j
            continue
        i += 1


_TECH_LINES = ["> x <- 1", "> y = mean(x)", "+ }", "> plain quoted prose", "> more prose (aside)",
               ">> nested", ">>> import os", "... print(x)", "    x = f(y)", "    plain indented",
               "\tfoo();", "Traceback (most recent call last):", '  File "a.py", line 3, in f',
               "ValueError: bad", "java.lang.NullPointerException", "    at a.b.C.d(C.java:10)",
               "    ... 3 more", "Caused by: java.io.IOException", "2024-01-02 10:00:01 INFO start",
               "[12:00:01] ERROR: x", "INFO: ready", "WARN: low", "```", "~~~", "The end.",
               "Could be.", "I think so", "Does it?", "", "   ", "\u00a0at x(y)", "[1] 2.5",
               "#include <x>", "Error in f(x): bad"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_TECH_LINES), max_size=20),
       st.lists(st.sampled_from([None, None, None, None, "footer"]), max_size=20))
def test_code_and_logs_equal_the_plain_loop(lines, marks):
    from miner.clean.technical import mark_code_and_logs

    kinds = [marks[i] if i < len(marks) else None for i in range(len(lines))]
    want = list(kinds)
    _plain_code_and_logs(lines, want, 0, len(lines))
    got = list(kinds)
    mark_code_and_logs(lines, got, 0, len(lines))
    assert got == want


def test_code_and_logs_mark_the_examples():
    lines = ["Hi,", "", "> x <- 1", "> y = mean(x)", "", "Traceback (most recent call last):",
             '  File "a.py", line 3, in f', "ValueError: bad", "", "> just quoted prose",
             "> more of it"]
    from miner.clean.technical import mark_code_and_logs

    kinds: list = [None] * len(lines)
    mark_code_and_logs(lines, kinds, 0, len(lines))
    assert kinds[2:4] == ["code", "code"] and kinds[5:8] == ["log"] * 3
    assert kinds[9:] == [None, None]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([None, None, "quote", "footer"]), max_size=25), st.data())
def test_runs_are_the_maximal_runs_without_a_kind(kinds, data):
    from miner.clean.segment import _Doc
    from miner.clean.tail import _runs

    doc = _Doc("x\n" * len(kinds))
    doc.kinds = list(kinds)
    lo = data.draw(st.integers(0, len(kinds)))
    hi = data.draw(st.integers(lo, len(kinds)))
    want, i = [], lo
    while i < hi:  # the plain loop
        if kinds[i] is None:
            j = i
            while j < hi and kinds[j] is None:
                j += 1
            want.append((i, j))
            i = j
        else:
            i += 1
    assert _runs(doc, lo, hi) == want


def test_strong_word_prefilter_knows_every_fold():
    import re

    from miner.clean.tail import _STRONG_ASCII, _STRONG_FOLDS, _STRONG_OTHER

    words = P.DISCLAIMER_STRONG.pattern.split("|")
    assert set(words) == set(_STRONG_ASCII) | set(_STRONG_OTHER)
    letters = sorted(set("".join(words)))
    rx = re.compile("[" + "".join(re.escape(c) for c in letters) + "]", re.IGNORECASE)
    folds = {chr(cp) for cp in range(0x110000) if not 0xD800 <= cp < 0xE000
             and chr(cp) not in letters and chr(cp).lower() == chr(cp) and rx.match(chr(cp))}
    assert folds == set(_STRONG_FOLDS)


def test_disclaimer_found_through_a_fold():
    from miner.clean import segment

    # "ı" (dotless i) matches i under IGNORECASE: the only strong word here is "ıntended"
    para = ("This message is confidential and ıntended only for the use of the addressee named "
            "above. Thank you for your understanding and cooperation in this matter.")
    body = "Hello,\n\nSee below.\n\n" + para + "\n"
    assert any(s.kind == "disclaimer" for s in segment(body).segments)
