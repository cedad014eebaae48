"""Records that cross module boundaries, defined once.

All are frozen dataclasses: cheap to build, hashable where their fields are, and
explicit about what each stage reads and writes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# Segment kinds of a message body, per ../shared/CLI.md (`miner clean`).
SEGMENT_KINDS = (
    "new",
    "quote",
    "reply_header",
    "forwarded",
    "signature",
    "salutation",
    "closing",
    "footer",
    "disclaimer",
    "code",
    "log",
)
# Kinds whose text counts as the author's own words (the "new text").
NEW_TEXT_KINDS = frozenset({"new", "salutation", "closing", "code", "log"})
QUOTED_KINDS = frozenset({"quote", "reply_header", "forwarded"})
SIGNATURE_KINDS = frozenset({"signature"})


@dataclass(frozen=True, slots=True)
class Segment:
    """A typed span ``text[start:end]`` of a message body."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str | None
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    """One message decoded from any source format, before cleaning and threading.

    ``date`` is timezone-aware UTC or None; ``date_source`` says where it came from
    (``header``, ``received``, ``archive``, ``source`` or ``none``). ``problems`` lists
    the repairs made while decoding (a non-empty tuple means "repaired").
    """

    message_id: str | None
    subject: str
    from_name: str
    from_email: str
    date: datetime | None
    date_source: str
    in_reply_to: str | None
    references: tuple[str, ...]
    body: str
    headers: tuple[tuple[str, str], ...] = ()
    attachments: tuple[Attachment, ...] = ()
    links: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    list_name: str | None = None
    html: bool = False  # the body was converted from HTML
    permalink: str | None = None
    digest_of: str | None = None  # message id of the digest this came out of
    quote_levels: tuple[int, ...] = ()  # per-line quote depth known from the source (HTML archives)


@dataclass(frozen=True, slots=True)
class SourceItem:
    """What a format adapter yields: raw RFC 822 bytes, or an already parsed message.

    ``where`` locates the item in its source for error messages ("line 120", "row 7",
    "member 2007-March.txt"). ``error`` is set when the adapter could not even cut the
    item out cleanly; the raw bytes are then quarantined.
    """

    source: str
    where: str
    raw: bytes | None = None
    parsed: ParsedMessage | None = None
    error: str | None = None
    fallback_date: datetime | None = None  # e.g. the archive's month
    list_name: str | None = None


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The segmentation of one body: its segments and the texts derived from them."""

    segments: tuple[Segment, ...]
    new_text: str
    quoted_text: str
    signature: str


@dataclass(frozen=True, slots=True)
class Message:
    """A stored message as the stages see it."""

    id: int
    message_id: str
    list: str | None
    thread_id: str | None
    parent_id: str | None
    date: datetime | None
    author_name: str
    author_email: str
    person_id: int | None
    subject: str
    text: str
    quoted_text: str = ""
    signature: str = ""
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class Thread:
    thread_id: str
    subject: str
    start: datetime | None
    end: datetime | None
    messages: int
    participants: int
    root_message_id: str
    list: str | None = None


@dataclass(frozen=True, slots=True)
class Person:
    person_id: int
    name: str
    emails: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    organisation: str | None = None
    title: str | None = None
    country: str | None = None
    messages: int = 0


@dataclass(frozen=True, slots=True)
class IngestError:
    source: str
    where: str
    error: str


@dataclass(slots=True)
class IngestReport:
    """Counts of one ingest run (mutable while the run goes; see ``as_dict``)."""

    sources: list[str] = field(default_factory=list)
    messages_seen: int = 0
    added: int = 0
    duplicates: int = 0
    repaired: int = 0
    quarantined: int = 0
    threads: int = 0
    people: int = 0
    errors: list[IngestError] = field(default_factory=list)
    per_source: dict[str, dict[str, int]] = field(default_factory=dict)

    MAX_ERRORS = 50

    def add_error(self, source: str, where: str, error: str) -> None:
        if len(self.errors) < self.MAX_ERRORS:
            self.errors.append(IngestError(source, where, error))

    def as_dict(self) -> dict:
        return {
            "sources": list(self.sources),
            "messages_seen": self.messages_seen,
            "added": self.added,
            "duplicates": self.duplicates,
            "repaired": self.repaired,
            "quarantined": self.quarantined,
            "threads": self.threads,
            "people": self.people,
            "errors": [
                {"source": e.source, "where": e.where, "error": e.error} for e in self.errors
            ],
            "per_source": self.per_source,
        }


@dataclass(frozen=True, slots=True)
class ThreadInput:
    """What threading needs of one message. ``key`` is the store's stable message key."""

    key: str
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str
    date: datetime | None
    list: str | None = None


@dataclass(frozen=True, slots=True)
class ThreadLink:
    """Threading result for one message: its parent's key and its thread root's key."""

    key: str
    parent_key: str | None
    root_key: str
    how: str  # "references", "in_reply_to", "subject", "root"


@dataclass(frozen=True, slots=True)
class Sender:
    """One sender occurrence for identity resolution (one row per distinct (name, email, list))."""

    key: str  # opaque id the caller uses to map results back
    name: str
    email: str
    list: str | None = None
    messages: int = 1


@dataclass(frozen=True, slots=True)
class Merge:
    """Why two sender keys were judged the same human."""

    a: str
    b: str
    reason: str


@dataclass(frozen=True, slots=True)
class Signature:
    """What a signature block says about its author, when it says it."""

    name: str | None = None
    title: str | None = None
    organisation: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result: a message, or with thread-level search a thread shown through its
    best-matching message (then ``start``/``end``/``messages``/``participants`` are set).

    ``snippet`` is raw text from the message's new text (escape it before rendering as HTML);
    ``highlights`` are ``(start, end)`` offsets of the query terms in it; ``highlighted()``
    marks them (``**term**`` by default).
    """

    message_id: str
    thread_id: str | None
    score: float
    subject: str
    author_name: str
    date: datetime | None
    snippet: str
    highlights: tuple[tuple[int, int], ...] = ()
    list: str | None = None
    person_id: int | None = None
    participants: int | None = None
    participant_names: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    messages: int | None = None

    def highlighted(self, open: str = "**", close: str = "**") -> str:
        out, pos = [], 0
        for a, b in self.highlights:
            out += [self.snippet[pos:a], open, self.snippet[a:b], close]
            pos = b
        out.append(self.snippet[pos:])
        return "".join(out)
