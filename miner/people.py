"""Identity resolution: one person per human across addresses and name spellings.

Pure functions, no I/O. Senders are indexed by blocking keys (exact address, obfuscation
fingerprint, normalised name) and joined with union-find, so the work stays near-linear in
the number of senders. Every join is recorded as a :class:`Merge` with its reason:

- ``same address``: same address, case-insensitive, googlemail.com = gmail.com;
- ``obfuscated address``: the same address written by pipermail as ``user at domain``,
  ``usuario en dominio`` or the ETH scramble ``wo||g@ng @end|ng |rom m@@@tr...``;
- ``same normalised name``: the same specific name (two tokens or more, not a role);
- ``dmarc rewrite``: ``"Name via List" <list@host>``: the address is the list's, so only
  the display name identifies the author;
- ``forced``: asked for by the user.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache

from miner.types import Merge, Sender

__all__ = [
    "resolve_people",
    "normalize_name",
    "name_keys",
    "display_name",
    "deobfuscate_address",
    "address_fingerprint",
    "canonical_address",
    "split_via",
    "is_scrambled",
]

# ----------------------------------------------------------------------------- addresses

_AT_FORM = re.compile(r"^\s*([^\s@]+)\s+(?:at|en|chez|bei)\s+([^\s@]+\.[^\s@]+)\s*$", re.IGNORECASE)
# ETH pipermail: "user @end|ng |rom domain" (newer) and "user @ending from domain" (2018)
_SCRAMBLE = re.compile(r"^\s*(\S+)\s+@(?:end\|ng \|rom|ending from)\s+(\S+)\s*$", re.IGNORECASE)
_DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}
_FP_TABLE = str.maketrans({"a": "@", "s": "@", ".": "@", "l": "|", "i": "|", "f": "|"})


def deobfuscate_address(s: str | None) -> str | None:
    """The plain address behind a pipermail obfuscation, or None when it cannot be recovered.

    ``"jepusto at gmail.com"`` -> ``"jepusto@gmail.com"``; Spanish ``"usuario en dominio.es"``
    likewise. The ETH scramble (``"jepu@to @end|ng |rom gm@||@com"``) is lossy ("@" stands
    for a, s or ".", "|" for l, i or f), so it gives None: use :func:`address_fingerprint`.
    A plain address comes back lower-cased.
    """
    if not s:
        return None
    s = s.strip().strip("<>").strip()
    if _SCRAMBLE.match(s):
        return None
    m = _AT_FORM.match(s)
    if m:
        return f"{m[1]}@{m[2]}".lower()
    if s.count("@") == 1 and " " not in s:
        return s.lower()
    return None


def canonical_address(s: str | None) -> str | None:
    """Lower-cased plain address with domain aliases folded (googlemail.com -> gmail.com)."""
    a = deobfuscate_address(s)
    if not a or "@" not in a:
        return None
    local, _, domain = a.rpartition("@")
    domain = _DOMAIN_ALIASES.get(domain, domain)
    return f"{local}@{domain}"


def is_scrambled(s: str | None) -> bool:
    return bool(s and _SCRAMBLE.match(s.strip()))


def address_fingerprint(s: str | None) -> str | None:
    """A key shared by the plain and the ETH-scrambled form of one address.

    >>> address_fingerprint("wolfgang.viechtbauer@maastrichtuniversity.nl") == \\
    ...     address_fingerprint("wo||g@ng@v|echtb@uer @end|ng |rom m@@@tr|chtun|ver@|ty@n|")
    True
    """
    if not s:
        return None
    m = _SCRAMBLE.match(s.strip())
    if m:
        local, domain = m[1].lower(), m[2].lower()
    else:
        a = canonical_address(s)
        if a is None:
            return None
        local, _, domain = a.rpartition("@")
    for plain, alias in _DOMAIN_ALIASES.items():
        if domain == alias.translate(_FP_TABLE) or domain == plain.translate(_FP_TABLE):
            domain = alias
    domain = _DOMAIN_ALIASES.get(domain, domain)
    return f"{local.translate(_FP_TABLE)}#{domain.translate(_FP_TABLE)}"


# ----------------------------------------------------------------------------- names

_VIA = re.compile(r"^\s*(.*?)\s+via\s+(\S.*?)\s*$", re.IGNORECASE)
_PAREN = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_TITLES = frozenset(
    "dr dr. prof prof. professor mr mr. mrs mrs. ms ms. mx miss sir dott dott.ssa ing "
    "phd ph.d ph.d. md m.d. msc mph msh bsc ba ma mba jr jr. sr sr. ii iii".split()
)
_ROLE_WORDS = frozenset(
    "admin administrator info information list lists owner owners moderator moderators "
    "webmaster postmaster support team office secretariat secretary noreply no-reply "
    "mailer daemon mailer-daemon help desk helpdesk contact contacts bounce bounces "
    "request requests digest newsletter news notification notifications system root "
    "staff service services unknown anonymous user via".split()
)
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe",
                         "Ü": "ue"})
_NONWORD = re.compile(r"[^\w]+")


def split_via(name: str | None) -> tuple[str, str | None]:
    """``"'Lee Duncan' via open-iscsi"`` -> ``("Lee Duncan", "open-iscsi")``."""
    name = (name or "").strip()
    m = _VIA.match(name)
    if m and m[1].strip(" '\""):
        return m[1].strip(" '\""), m[2]
    if m:
        return "", m[2]
    return name, None


def _strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def _tokens(name: str, german: bool) -> list[str]:
    return list(_tokens_of(name, german))


@lru_cache(maxsize=1 << 16)
def _tokens_of(name: str, german: bool) -> tuple[str, ...]:
    """The name's tokens (cached: one human writes under several addresses, one name)."""
    name, _ = split_via(name)
    name = _PAREN.sub(" ", name).replace('"', " ").replace("'", " ").strip()
    if "@" in name or " at " in f" {name} " and "." in name:
        return []  # an address used as a name
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2 and parts[0] and parts[1]:
        tail = {t.lower().strip(".") for t in parts[1].split()}
        if not tail <= {t.strip(".") for t in _TITLES}:
            name = f"{parts[1]} {parts[0]}"  # "Last, First" -> "First Last"
        else:
            name = parts[0]
    if german:
        name = name.translate(_GERMAN)
    name = _strip_accents(name).casefold()
    toks = [t for t in name.split() if t not in _TITLES and t.strip(".") not in _TITLES]
    toks = [t for t in (_NONWORD.sub(" ", t).strip() for t in toks) if t]
    toks = " ".join(toks).split()
    if len([t for t in toks if len(t) > 1]) >= 2:
        toks = [t for t in toks if len(t) > 1]  # middle initials
    return tuple(toks)


def normalize_name(name: str | None) -> str:
    """Casefolded, accent-free name in "First Last" order, without titles, initials, quotes,
    parenthesised parts and "via List" suffixes.

    >>> normalize_name("Viechtbauer, Wolfgang (SP)")
    'wolfgang viechtbauer'
    >>> normalize_name("Dr. José  M. Pérez")
    'jose perez'
    """
    return " ".join(_tokens(name or "", german=False))


def name_keys(name: str | None) -> list[str]:
    """Blocking keys of a specific name (sorted tokens, plain and German transliteration);
    empty for names too vague to identify anyone ("John", "admin", "List Owner")."""
    keys = []
    for german in (False, True):
        toks = _tokens(name or "", german)
        if len(toks) < 2 or any(t in _ROLE_WORDS for t in toks):
            return []
        k = " ".join(sorted(toks))
        if k not in keys:
            keys.append(k)
    return keys


def _clean_display(name: str) -> str:
    name, _ = split_via(name)
    name = _PAREN.sub(" ", name).replace('"', " ").strip(" '")
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2 and parts[0] and parts[1] and len(parts[1].split()) <= 3:
        name = f"{parts[1]} {parts[0]}"
    toks = [t for t in name.split() if t.lower() not in _TITLES]
    return " ".join(toks)


def display_name(names: list[str] | Iterable[str] | Mapping[str, int]) -> str:
    """The best spelling of a person's name among the spellings seen.

    Spellings are grouped by :func:`normalize_name`; the most frequent group wins, and within
    it a properly capitalised spelling with accents is preferred over a more frequent one
    without ("Gerta Rücker" over "Gerta Ruecker"). ``names`` is every spelling as seen, or a
    mapping of each spelling to how often it was seen (the same answer, each cleaned once):

    >>> display_name({"Gerta Ruecker": 5, "Dr. Gerta Rücker": 2})
    'Gerta Rücker'
    """
    pairs = names.items() if isinstance(names, Mapping) else ((n, 1) for n in names)
    freq: Counter[str] = Counter()
    for n, k in pairs:
        c = _clean_display(n)
        if c:
            freq[c] += k
    if not freq:
        return ""
    group_of = {c: (name_keys(c) or [normalize_name(c)])[-1] for c in freq}
    groups: Counter[str] = Counter()
    for c, k in freq.items():
        groups[group_of[c]] += k
    best_group = max(groups, key=lambda g: groups[g])

    def score(c: str) -> tuple:
        proper = c != c.lower() and c != c.upper()
        accents = any(ord(ch) > 127 and ch.isalpha() for ch in c)
        return (proper, accents, freq[c], len(c))

    cands = [c for c in freq if group_of[c] == best_group]
    return max(cands, key=score)


# ----------------------------------------------------------------------------- resolution

def _find(uf: list[int], x: int) -> int:
    while uf[x] != x:
        uf[x] = uf[uf[x]]
        x = uf[x]
    return x


def resolve_people(
    senders: Iterable[Sender],
    *,
    forced_merges: Iterable[tuple[str, str]] = (),
    forced_splits: Iterable[str | tuple[str, str]] = (),
) -> tuple[dict[str, int], list[Merge]]:
    """Map each sender key to a person index (0..n-1, by first appearance) and list merges.

    ``forced_merges`` are pairs of sender keys judged the same person. ``forced_splits``
    are sender keys that automatic rules must leave alone, or pairs of keys that must never
    end up in the same person.
    """
    ss = list(senders)
    n = len(ss)
    idx = {s.key: i for i, s in enumerate(ss)}
    if len(idx) != n:
        raise ValueError("sender keys must be unique")
    uf = list(range(n))
    merges: list[Merge] = []
    alone: set[int] = set()
    apart: dict[int, set[tuple[int, int]]] = {}
    for j, sp in enumerate(forced_splits):
        if isinstance(sp, str):
            if sp in idx:
                alone.add(idx[sp])
        else:
            a, b = sp
            if a in idx and b in idx:
                apart.setdefault(idx[a], set()).add((j, 0))
                apart.setdefault(idx[b], set()).add((j, 1))

    def union(a: int, b: int, reason: str) -> None:
        if reason != "forced" and (a in alone or b in alone):
            return
        ra, rb = _find(uf, a), _find(uf, b)
        if ra == rb:
            return
        ta, tb = apart.get(ra), apart.get(rb)
        if ta and tb and any((j, 1 - side) in tb for j, side in ta):
            return
        if ra > rb:
            ra, rb = rb, ra
        uf[rb] = ra
        if tb:
            apart.setdefault(ra, set()).update(tb)
        merges.append(Merge(ss[a].key, ss[b].key, reason))

    for a, b in forced_merges:
        if a in idx and b in idx:
            union(idx[a], idx[b], "forced")

    # list addresses: any address that carries a "Name via List" display name, or that is
    # the list's own posting address, identifies nobody
    via = [split_via(s.name) for s in ss]
    list_addrs = {canonical_address(s.email) for s, (_, v) in zip(ss, via) if v}
    list_addrs.discard(None)
    list_fps = {address_fingerprint(s.email) for s, (_, v) in zip(ss, via) if v}
    list_fps.discard(None)

    by_addr: dict[str, int] = {}
    by_fp: dict[str, int] = {}
    by_name: dict[str, int] = {}
    for i, s in enumerate(ss):
        addr = canonical_address(s.email)
        fp = address_fingerprint(s.email)
        is_list = via[i][1] is not None or addr in list_addrs or fp in list_fps
        if not is_list and s.list and addr:
            local = addr.partition("@")[0]
            is_list = local.casefold() == s.list.casefold()
        if not is_list:
            if addr is not None:
                j = by_addr.setdefault(addr, i)
                if j != i:
                    same = "@" in (s.email or "") and "@" in (ss[j].email or "")
                    union(j, i, "same address" if same else "obfuscated address")
            if fp is not None:
                j = by_fp.setdefault(fp, i)
                if j != i and (is_scrambled(s.email) or is_scrambled(ss[j].email)):
                    union(j, i, "obfuscated address")
        for k in name_keys(via[i][0]):
            j = by_name.setdefault(k, i)
            if j != i:
                reason = "dmarc rewrite" if via[i][1] or via[j][1] else "same normalised name"
                union(j, i, reason)

    person_of_root: dict[int, int] = {}
    out: dict[str, int] = {}
    for i, s in enumerate(ss):
        r = _find(uf, i)
        p = person_of_root.setdefault(r, len(person_of_root))
        out[s.key] = p
    return out, merges
