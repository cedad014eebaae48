"""Charset handling: declared charsets with their real-world aliases, and detection.

The rule: never produce U+FFFD where a correct decoding exists. Declared charsets are
trusted when the bytes decode strictly and are not obviously mislabelled UTF-8;
undeclared or wrong ones go UTF-8 (strict) -> windows-1252 (cheap heuristic) ->
charset-normalizer -> UTF-8 with replacement as the last resort.
"""
from __future__ import annotations

import codecs
import functools
import re

# Labels seen in real mail that Python does not know, or knows under another name.
_ALIASES = {
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-8-e": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "iso-8859-6-e": "iso-8859-6",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "chinese": "gb18030",
    "big5": "big5hkscs",
    "shift-jis": "cp932",
    "shift_jis": "cp932",
    "x-sjis": "cp932",
    "sjis": "cp932",
    "windows-874": "cp874",
    "tis-620": "cp874",
    "x-mac-roman": "mac_roman",
    "macintosh": "mac_roman",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
    "ansi_x3.4-1968": "ascii",
    "iso-8859-1": "cp1252",  # as browsers do: 0x80-0x9f are cp1252 in practice
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "ascii",
    "ascii": "ascii",
}
# Labels that mean "I don't know": treat as undeclared.
_UNKNOWN = {
    "x-unknown", "unknown-8bit", "x-unknown-8bit", "unknown", "x-user-defined", "default",
    "charset", "none", "8bit", "7bit", "binary", "x-binary", "us", "",
}
_WESTERN = {"ascii", "cp1252", "latin_1", "iso8859_15", "iso8859_1"}


@functools.lru_cache(maxsize=512)
def lookup_codec(label: str | None) -> str | None:
    """Python codec name for a declared charset label, or None when unknown/undeclared."""
    if not label:
        return None
    label = label.strip().strip("\"'").strip().lower()
    if label in _UNKNOWN:
        return None
    label = _ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return "cp1252" if name == "latin_1" and label != "latin_1" else name


_HIGH = re.compile(rb"[\x80-\xff]")
_CP1252_UNDEF = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


_HIGH_RUN = re.compile(rb"[\x80-\xff]{3,}")


def _looks_western(data: bytes) -> bool:
    """Cheap test for Latin-1 / windows-1252 text: high bytes come alone or in pairs
    inside ASCII words (accents, curly quotes), not as whole words (Cyrillic, Greek,
    CJK in single- or double-byte charsets)."""
    if _CP1252_UNDEF.search(data):
        return False
    high = len(_HIGH.findall(data))
    in_runs = sum(len(m) for m in _HIGH_RUN.findall(data))
    return in_runs * 2 <= high


def detect(data: bytes) -> tuple[str, str]:
    """Decode bytes of unknown charset; returns (text, codec name)."""
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _looks_western(data):
        return data.decode("cp1252"), "windows-1252"
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None and best.encoding:
            return str(best), best.encoding
    except Exception:  # noqa: BLE001 - a detector crash must not lose the message
        pass
    if not _CP1252_UNDEF.search(data):
        return data.decode("cp1252"), "windows-1252"
    return data.decode("latin-1"), "latin-1"


def decode_bytes(data: bytes, declared: str | None) -> tuple[str, str]:
    """Decode ``data`` given a declared charset label (may be None or bogus).

    Returns (text, codec actually used). The caller compares the codec with the
    declared one to note a repair.
    """
    if data.isascii():
        return data.decode("ascii"), lookup_codec(declared) or "ascii"
    codec = lookup_codec(declared)
    if codec is None:
        return detect(data)
    if codec in _WESTERN or codec == "utf-8":
        # Valid UTF-8 with non-ASCII bytes is almost never Latin-1 by chance.
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            if codec == "utf-8":
                return detect(data)
        if codec == "cp1252" and _CP1252_UNDEF.search(data):
            return data.decode("latin-1"), "latin-1"
        if codec == "ascii":
            return detect(data)
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            return detect(data)
    try:
        return data.decode(codec), codec
    except UnicodeDecodeError:
        return detect(data)
    except LookupError:
        return detect(data)


def same_codec(a: str | None, b: str | None) -> bool:
    """Whether two charset labels name the same codec (for "repaired" notes)."""
    if a is None or b is None:
        return a is b
    ca = lookup_codec(a) or a
    cb = lookup_codec(b) or b
    return ca == cb or {ca, cb} <= {"cp1252", "windows-1252"}
