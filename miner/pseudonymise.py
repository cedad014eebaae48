"""Pseudonymisation: a consistent mapping of every person's names and addresses in a workspace to
a pseudonym ("Person 17", "person17@example.invalid"), for the app's pseudonymise switch and for
exports that leave the organisation.

    >>> p = Pseudonymiser(ws.db)                                        # doctest: +SKIP
    >>> p.name("Ana María López"), p.email("ana.lopez@registro-electoral.example.org")  # doctest: +SKIP
    ('Person 4', 'person4@example.invalid')
    >>> p.text("Thanks Ana Maria Lopez <anamarialopez@mail.example.net>!")  # doctest: +SKIP
    'Thanks Person 4 <person4@example.invalid>!'

The person number is the workspace's stable person id, so the same human gets the same pseudonym
in every page and every export, whichever alias or address they wrote from. In free text, every
known full name (any alias, with or without accents), every capitalised single part of a known
name (first name or surname, unless it is a common word), and every e-mail address (also the
``user at domain`` form of web archives) is replaced; an address of nobody known becomes
``contactN@example.invalid``. Organisations and countries are kept: they are what makes a lesson
useful, and they do not name a person.
"""
from __future__ import annotations

import dataclasses
import re
import sqlite3
import unicodedata
from typing import IO, Iterable

DOMAIN = "example.invalid"
AMBIGUOUS = "[name]"  # a single name part shared by several people
MAX_NAME_WORDS = 6

_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*", re.UNICODE)
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_OBFUSCATED = re.compile(r"\b([\w.+'-]+) at ([\w-]+(?:\.[\w-]+)+\.[a-z]{2,})\b", re.IGNORECASE)
_GAP = re.compile(r"[\s.,]{1,3}")  # what may separate the words of one name ("Kwame A. Mensah")

# Capitalised words that are also name parts but mostly mean something else in list mail.
_COMMON = frozenset("""
the and for from with this that dear best kind warm regards thanks thank many all team list
program programme director officer manager advisor adviser coordinator head senior junior
project office ministry national local council commission election elections electoral
university institute centre center foundation network group member members chair dr prof mr
mrs ms sir madam request admin administrator moderator facilitator digest bounce noreply reply
new york grace hope may will mark rose faith joy
""".split())


def _fold(s: str) -> str:
    """Case- and accent-insensitive form of a word."""
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).casefold()


class Pseudonymiser:
    """Maps names and addresses of a workspace's people to pseudonyms; see the module doc."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._full: dict[tuple[str, ...], int] = {}  # folded name words -> person id
        self._part: dict[str, int | None] = {}  # folded name part -> person id (None: ambiguous)
        self._email: dict[str, int] = {}  # lower-cased address -> person id
        self._other: dict[str, str] = {}  # pseudonyms handed out for unknown names / addresses
        rows = list(conn.execute("SELECT person_id, name, email FROM people"))
        rows += list(conn.execute("SELECT person_id, name, email FROM aliases "
                                  "WHERE person_id IS NOT NULL"))
        for pid, name, email in rows:
            pid = int(pid)
            if email:
                self._email.setdefault(email.strip().lower(), pid)
            if name and "@" in name:
                self._email.setdefault(name.strip().lower(), pid)
                continue
            words = tuple(_fold(w) for w in _WORD.findall(name or ""))
            if not words:
                continue
            self._full.setdefault(words[:MAX_NAME_WORDS], pid)
            for w in words:
                if len(w) < 3 or w in _COMMON:
                    continue
                if self._part.get(w, pid) != pid:
                    self._part[w] = None
                else:
                    self._part[w] = pid

    # -- single values ------------------------------------------------------------------
    @staticmethod
    def pseudonym(person_id: int) -> str:
        return f"Person {int(person_id)}"

    @staticmethod
    def pseudonym_email(person_id: int) -> str:
        return f"person{int(person_id)}@{DOMAIN}"

    def person_of(self, name: str = "", email: str = "") -> int | None:
        """The person id behind a name or address, if the workspace knows it."""
        if email and email.strip().lower() in self._email:
            return self._email[email.strip().lower()]
        if name and "@" in name and name.strip().lower() in self._email:
            return self._email[name.strip().lower()]
        words = tuple(_fold(w) for w in _WORD.findall(name or ""))
        return self._full.get(words[:MAX_NAME_WORDS]) if words else None

    def name(self, name: str | None) -> str:
        """The pseudonym of a person's name ("" stays "")."""
        if not name or not name.strip():
            return name or ""
        if "@" in name and _EMAIL.fullmatch(name.strip()):
            return self.email(name)
        pid = self.person_of(name=name)
        if pid is not None:
            return self.pseudonym(pid)
        return self._unknown("name", _fold(name.strip()))

    def email(self, address: str | None) -> str:
        """The pseudonymous address of an address ("" stays "")."""
        if not address or not address.strip():
            return address or ""
        pid = self._email.get(address.strip().lower())
        if pid is not None:
            return self.pseudonym_email(pid)
        return self._unknown("email", address.strip().lower())

    def _unknown(self, kind: str, key: str) -> str:
        k = f"{kind}:{key}"
        if k not in self._other:
            n = sum(1 for x in self._other if x.startswith(kind + ":")) + 1
            self._other[k] = f"Someone {n}" if kind == "name" else f"contact{n}@{DOMAIN}"
        return self._other[k]

    # -- free text ----------------------------------------------------------------------
    def text(self, text: str | None) -> str:
        """``text`` with every known name and every address replaced."""
        if not text:
            return text or ""
        text = _EMAIL.sub(lambda m: self.email(m.group(0)), text)
        text = _OBFUSCATED.sub(lambda m: self.email(f"{m.group(1)}@{m.group(2)}"), text)
        words = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]
        out, pos, i = [], 0, 0
        while i < len(words):
            hit = self._match_at(text, words, i)
            if hit is None:
                i += 1
                continue
            n, replacement = hit
            out.append(text[pos:words[i][0]])
            out.append(replacement)
            pos = words[i + n - 1][1]
            i += n
        out.append(text[pos:])
        return "".join(out)

    def _match_at(self, text: str, words, i: int) -> tuple[int, str] | None:
        # longest full name first: words separated only by short gaps of space, "." or ","
        n_max = 1
        while (n_max < MAX_NAME_WORDS and i + n_max < len(words)
               and _GAP.fullmatch(text[words[i + n_max - 1][1]:words[i + n_max][0]])):
            n_max += 1
        folded = [_fold(w[2]) for w in words[i:i + n_max]]
        for n in range(n_max, 1, -1):
            pid = self._full.get(tuple(folded[:n]))
            if pid is not None:
                return n, self.pseudonym(pid)
        word = words[i][2]
        if word[:1].isupper() and len(word) >= 3:
            f = folded[0]
            if f in self._part:
                pid = self._part[f]
                return 1, AMBIGUOUS if pid is None else self.pseudonym(pid)
            if (f,) in self._full:
                return 1, self.pseudonym(self._full[(f,)])
        return None

    # -- records ------------------------------------------------------------------------
    def message(self, m):
        """A :class:`miner.types.Message` with its people and texts pseudonymised."""
        return dataclasses.replace(
            m,
            author_name=self.name(m.author_name) if m.author_name else self.email(m.author_email),
            author_email=self.email(m.author_email), subject=self.text(m.subject),
            text=self.text(m.text), quoted_text=self.text(m.quoted_text),
            signature=self.text(m.signature))

    def person(self, p):
        """A :class:`miner.types.Person` with its names and addresses pseudonymised."""
        return dataclasses.replace(
            p, name=self.pseudonym(p.person_id), emails=(self.pseudonym_email(p.person_id),),
            names=(self.pseudonym(p.person_id),))

    def hit(self, h):
        """A :class:`miner.types.SearchHit` with its author and snippet pseudonymised.

        The snippet's highlight offsets no longer hold after replacement, so they are dropped."""
        return dataclasses.replace(
            h, author_name=self.name(h.author_name), subject=self.text(h.subject),
            snippet=self.text(h.snippet), highlights=(),
            participant_names=tuple(self.name(x) for x in h.participant_names))

    def row(self, row: dict) -> dict:
        """A row of :func:`miner.export.messages.message_rows` pseudonymised."""
        out = dict(row)
        if "author_name" in out:
            out["author_name"] = self.name(out["author_name"]) if out["author_name"] \
                else self.email(out.get("author_email"))
        if "author_email" in out:
            out["author_email"] = self.email(out["author_email"])
        for k in ("subject", "text", "quoted_text", "signature"):
            if out.get(k):
                out[k] = self.text(out[k])
        return out


def pseudonymised_rows(conn: sqlite3.Connection, rows: Iterable[dict] | None = None):
    """Export rows (default: every message of the workspace) with names and addresses replaced."""
    from miner.export.messages import message_rows

    p = Pseudonymiser(conn)
    for row in (message_rows(conn) if rows is None else rows):
        yield p.row(row)


def write_pseudonymised_mbox(conn: sqlite3.Connection, out: IO[bytes], *,
                             message_ids: Iterable[str] | None = None,
                             pseudonymiser: Pseudonymiser | None = None) -> int:
    """An mbox rebuilt from the stored fields (never the original bytes, whose headers name
    people), pseudonymised; only ``message_ids`` when given. Returns the number written."""
    from email.message import EmailMessage
    from email.utils import format_datetime

    from miner.store.queries import iter_messages

    p = pseudonymiser or Pseudonymiser(conn)
    wanted = None if message_ids is None else set(message_ids)
    n = 0
    for m in iter_messages(conn):
        if wanted is not None and m.message_id not in wanted:
            continue
        q = p.message(m)
        msg = EmailMessage()
        msg["From"] = f"{q.author_name} <{q.author_email}>" if q.author_email else q.author_name
        msg["Subject"] = q.subject
        msg["Message-ID"] = f"<{m.message_id}>"
        if m.date:
            msg["Date"] = format_datetime(m.date)
        if m.list:
            msg["List-Id"] = f"<{m.list}>"
        body = q.text
        if q.quoted_text:
            body += "\n\n" + "\n".join("> " + line for line in q.quoted_text.splitlines())
        msg.set_content(body or "")
        data = msg.as_bytes()
        stamp = m.date.strftime("%a %b %d %H:%M:%S %Y") if m.date else "Thu Jan  1 00:00:00 1970"
        out.write(f"From {q.author_email or 'unknown'} {stamp}\n".encode("utf-8", "replace"))
        for line in data.replace(b"\r\n", b"\n").split(b"\n"):
            if line.lstrip(b">").startswith(b"From "):
                line = b">" + line
            out.write(line + b"\n")
        out.write(b"\n")
        n += 1
    return n


_NAME_FIELDS = frozenset({"author_name"})
_KEEP_FIELDS = frozenset({"message_id", "thread_id", "thread_ids", "permalink", "url", "key",
                          "kind", "place", "country", "organisation", "title", "date"})


def pseudonymise_record(p: Pseudonymiser, rec):
    """Any frozen record (a consolidated reply and its parts, a practice card...) with person
    names and addresses replaced in every text field, recursively. Identifiers, links,
    organisations and countries are kept."""
    if isinstance(rec, str):
        return p.text(rec)
    if isinstance(rec, tuple):
        return tuple(pseudonymise_record(p, x) for x in rec)
    if isinstance(rec, list):
        return [pseudonymise_record(p, x) for x in rec]
    if not dataclasses.is_dataclass(rec) or isinstance(rec, type):
        return rec
    changes = {}
    for f in dataclasses.fields(rec):
        v = getattr(rec, f.name)
        if f.name in _KEEP_FIELDS or v is None:
            continue
        if isinstance(v, str):
            person_name = f.name in _NAME_FIELDS or (f.name == "name" and type(rec).__name__
                                                     in ("Contributor", "Person", "Expert"))
            changes[f.name] = p.name(v) if person_name else p.text(v)
        elif isinstance(v, (tuple, list)) or dataclasses.is_dataclass(v):
            changes[f.name] = pseudonymise_record(p, v)
    return dataclasses.replace(rec, **changes) if changes else rec
