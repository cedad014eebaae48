"""What a signature block says about its author: name, job title, organisation, country.

Rule-based and conservative: a field stays None unless a line clearly says it.
"""
from __future__ import annotations

import re

from miner.clean import patterns as P
from miner.clean.countries import COUNTRIES
from miner.types import Signature

_TITLE = re.compile(
    r"\b(?:director|manager|officer|coordinator|co-ordinator|specialist|advisor|adviser|consultant"
    r"|analyst|engineer|professor|prof\.|lecturer|researcher|scientist|fellow|head of|chief|ceo|cto"
    r"|cfo|president|vice[- ]president|vp|chair(?:man|woman|person)?|secretary|assistant|associate"
    r"|editor|librarian|developer|programmer|architect|lead|team leader|representative|attorney"
    r"|counsel|lawyer|economist|statistician|student|phd candidate|postdoc|intern|founder|partner"
    r"|program(?:me)? officer|project officer|administrator|trader|technician|nurse|doctor|dr\."
    r"|directeur|directrice|chargé|chargée|responsable|conseiller|conseillère|ingénieur|chercheur"
    r"|director[a]?|coordinador[a]?|gerente|asesor[a]?|jefe|investigador[a]?|coordenador[a]?"
    r"|leiter(?:in)?|referent(?:in)?|geschäftsführer(?:in)?|mitarbeiter(?:in)?)\b",
    re.IGNORECASE,
)
_ORG = re.compile(
    r"\b(?:university|universit[éàäy]|universidad|universidade|institute|institut|instituto|istituto"
    r"|inc\.?|ltd\.?|llc|gmbh|corp\.?|corporation|company|co\.|s\.a\.|b\.v\.|ag|plc|foundation|fondation"
    r"|fundación|association|ministry|ministère|ministerio|agency|agence|organi[sz]ation|organisation"
    r"|council|bank|programme|program|centre|center|college|school|hospital|laboratory|lab"
    r"|department|dept\.?|office|unit|group|network|alliance|ngo|undp|unicef|unesco|who|world bank)\b",
    re.IGNORECASE,
)
_SEP = re.compile(r"\s*(?:[|,;/•·]|\s[-–—]\s)\s*")
_NAME = re.compile(r"^[A-ZÀ-Ý][\w'’.-]+(?: [A-ZÀ-Ý][\w'’.-]+){1,3}$")


def _clean_lines(sig_text: str) -> list[str]:
    out = []
    for line in sig_text.splitlines():
        s = line.strip().strip("*_").strip()
        if not s or P.SIG_DELIM.match(line) or set(s) <= set("-_=*~ "):
            continue
        out.append(s)
    return out


def _country(lines: list[str]) -> str | None:
    for s in reversed(lines):
        if P.EMAIL.search(s) and len(s.split()) <= 2:
            continue
        parts = [p.strip(" .").lower() for p in _SEP.split(s) if p.strip(" .")]
        for part in reversed(parts):
            if part in COUNTRIES:
                return COUNTRIES[part]
            # "Nairobi 00100, Kenya" style: last word(s)
            words = part.split()
            for k in (3, 2, 1):
                tail = " ".join(words[-k:])
                if len(words) >= k and tail in COUNTRIES and (k > 1 or tail not in ("uk", "usa") or part == tail):
                    return COUNTRIES[tail]
    return None


def parse_signature(sig_text: str, *, author_name: str | None = None) -> Signature:
    """Read job title, organisation and country from a signature block.

    >>> parse_signature("Jane Doe\\nProgramme Officer\\nUNDP Kenya\\nNairobi, Kenya").title
    'Programme Officer'
    """
    lines = _clean_lines(sig_text or "")
    name = None
    if author_name:
        low = author_name.lower()
        for s in lines[:3]:
            if s.lower().startswith(low) or low.startswith(s.lower()):
                name = s
                break
    if name is None and lines and _NAME.match(lines[0]) and not _TITLE.search(lines[0]) and not _ORG.search(lines[0]):
        name = lines[0]
    title = org = None
    for s in lines:
        if s == name or P.EMAIL.search(s) or P.URL.search(s) or P.PHONE_LABEL.search(s):
            continue
        if sum(c.isdigit() for c in s) >= 5 or len(s) > 90:
            continue
        parts = [p for p in _SEP.split(s) if p] if ("," in s or "|" in s or " - " in s) else [s]
        for part in parts:
            part = part.strip(" .")
            if not part:
                continue
            if title is None and _TITLE.search(part) and not _ORG.search(part.split(" of ")[0] if " of " in part else ""):
                title = part
            elif org is None and _ORG.search(part) and part.lower() not in COUNTRIES:
                org = part
        if title and org:
            break
    return Signature(name=name, title=title, organisation=org, country=_country(lines))
