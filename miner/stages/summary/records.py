"""Records of a consolidated reply: frozen dataclasses, and their JSON shape (../shared/CLI.md)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Point:
    """One extracted sentence (or trimmed span), verbatim from the cited message's new text."""

    text: str
    message_id: str
    author_name: str
    organisation: str | None = None
    country: str | None = None
    permalink: str | None = None

    @property
    def attribution(self) -> str:
        """"(Name, Organisation, Country)", leaving out what is unknown."""
        return "(" + ", ".join(x for x in (self.author_name, self.organisation, self.country) if x) + ")"


@dataclass(frozen=True, slots=True)
class Theme:
    """A cluster of response sentences: a short label and its key points (MMR-selected)."""

    key: str  # stable within a draft ("t1", "t2"...): what facilitator edits refer to
    label: str
    points: tuple[Point, ...]
    size: int = 0  # sentences in the cluster


@dataclass(frozen=True, slots=True)
class Query:
    message_id: str
    author_name: str
    organisation: str | None
    place: str | None
    date: datetime | None
    subject: str
    text: str
    permalink: str | None = None


@dataclass(frozen=True, slots=True)
class Contributor:
    number: int
    name: str
    title: str | None = None
    organisation: str | None = None
    country: str | None = None
    messages: int = 1


@dataclass(frozen=True, slots=True)
class Experience:
    """What responses say about one country or place."""

    place: str
    points: tuple[Point, ...]


@dataclass(frozen=True, slots=True)
class Resource:
    """A link, document, attachment, organisation or tool named in the responses."""

    kind: str  # link | document | attachment | organisation | tool
    name: str
    url: str | None = None
    recommended_by: tuple[str, ...] = ()
    message_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Related:
    thread_id: str
    subject: str
    date: datetime | None = None
    score: float | None = None
    message_id: str | None = None


@dataclass(frozen=True, slots=True)
class Response:
    message_id: str
    author_name: str
    organisation: str | None
    country: str | None
    date: datetime | None
    text: str
    permalink: str | None = None


@dataclass(frozen=True, slots=True)
class ConsolidatedReply:
    title: str
    thread_ids: tuple[str, ...]
    query: Query | None
    contributors: tuple[Contributor, ...]
    themes: tuple[Theme, ...]
    experiences: tuple[Experience, ...]
    resources: tuple[Resource, ...]
    related: tuple[Related, ...]
    responses: tuple[Response, ...]
    summary_text: str
    notes: tuple[str, ...] = field(default=())  # what could not be done (a stage has not run...)
    edited: bool = False

    def points(self) -> list[Point]:
        """Every point of the reply (themes and experiences), for the verbatim check."""
        out = [p for t in self.themes for p in t.points]
        out += [p for e in self.experiences for p in e.points]
        return out

    def to_dict(self) -> dict:
        """The JSON document of ``miner summarize --format json``."""

        def pt(p: Point) -> dict:
            return {"text": p.text, "message_id": p.message_id, "author_name": p.author_name,
                    "organisation": p.organisation, "country": p.country, "permalink": p.permalink}

        q = self.query
        return {
            "title": self.title,
            "thread_ids": list(self.thread_ids),
            "query": None if q is None else {
                "message_id": q.message_id, "author_name": q.author_name,
                "organisation": q.organisation, "place": q.place,
                "date": q.date.isoformat() if q.date else None, "subject": q.subject,
                "text": q.text, "permalink": q.permalink},
            "contributors": [{"number": c.number, "name": c.name, "title": c.title,
                              "organisation": c.organisation, "country": c.country,
                              "messages": c.messages} for c in self.contributors],
            "themes": [{"key": t.key, "label": t.label, "points": [pt(p) for p in t.points]}
                       for t in self.themes],
            "experiences": [{"place": e.place, "points": [pt(p) for p in e.points]}
                            for e in self.experiences],
            "resources": [{"kind": r.kind, "name": r.name, "url": r.url,
                           "recommended_by": list(r.recommended_by),
                           "message_ids": list(r.message_ids)} for r in self.resources],
            "related": [{"thread_id": r.thread_id, "subject": r.subject,
                         "date": r.date.isoformat() if r.date else None, "score": r.score,
                         "message_id": r.message_id} for r in self.related],
            "responses": [{"message_id": r.message_id, "author_name": r.author_name,
                           "organisation": r.organisation, "country": r.country,
                           "date": r.date.isoformat() if r.date else None, "text": r.text,
                           "permalink": r.permalink} for r in self.responses],
            "summary_text": self.summary_text,
            "notes": list(self.notes),
            "edited": self.edited,
        }
