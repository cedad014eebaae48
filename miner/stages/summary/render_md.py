"""Markdown rendering of a consolidated reply. Archive text is escaped so that it stays text:
no heading, list, link, image, HTML or table can come out of a message."""
from __future__ import annotations

import re

from miner.stages.summary.records import ConsolidatedReply, Point
from miner.stages.summary.textsafe import plain, safe_url

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|~])")
_LINE_START = re.compile(r"^(\s*)([#+=>-])")
_ORDERED = re.compile(r"^(\s*\d+)([.)])")


def md_escape(s: str | None) -> str:
    """Escape ``s`` for use inside a Markdown paragraph (one line; inline)."""
    t = plain(s)
    t = t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    t = _MD_SPECIAL.sub(r"\\\1", t)
    t = " ".join(t.split())
    t = _ORDERED.sub(lambda m: m.group(1) + "\\" + m.group(2), t)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), t)


def md_block(s: str | None) -> str:
    """A multi-line text as a Markdown blockquote, every line escaped."""
    lines = [md_escape(line) for line in plain(s).split("\n")]
    return "\n".join("> " + line if line else ">" for line in lines)


def md_link(text: str, url: str | None) -> str:
    u = safe_url(url)
    return f"[{md_escape(text)}](<{u}>)" if u else md_escape(text)


def _date(d) -> str:
    return d.strftime("%d %B %Y") if d else "date unknown"


def _point(p: Point) -> str:
    return f"- {md_escape(p.text)} {md_link(p.attribution, p.permalink) if p.permalink else md_escape(p.attribution)}" \
        + ("" if p.permalink else f" <sub>{md_escape(p.message_id)}</sub>")


def render_md(r: ConsolidatedReply) -> str:
    out = [f"# {md_escape(r.title)}", ""]
    if r.edited:
        out += ["*Edited by the facilitator.*", ""]
    out += ["## The query", ""]
    if r.query:
        q = r.query
        who = ", ".join(x for x in (q.author_name, q.organisation, q.place) if x)
        out += [f"**Asked by** {md_escape(who)}, {md_escape(_date(q.date))} "
                f"({md_link(q.message_id, q.permalink)})", "", md_block(q.text), ""]
    out += ["## Contributors", ""]
    for c in r.contributors:
        bits = ", ".join(x for x in (c.title, c.organisation, c.country) if x)
        out.append(f"{c.number}\\. {md_escape(c.name)}" + (f", {md_escape(bits)}" if bits else ""))
    out += ["", "## Summary of responses", ""]
    for t in r.themes:
        out += [f"### {md_escape(t.label)}", ""] + [_point(p) for p in t.points] + [""]
    if not r.themes:
        out += ["No responses to summarise.", ""]
    out += ["## Comparative experiences", ""]
    for e in r.experiences:
        out += [f"### {md_escape(e.place)}", ""] + [_point(p) for p in e.points] + [""]
    out += ["## Related resources", ""]
    for res in r.resources:
        name = md_link(res.name, res.url) if res.kind == "link" else md_escape(res.name)
        by = ", ".join(res.recommended_by)
        out.append(f"- {md_escape(res.kind)}: {name}" + (f" (recommended by {md_escape(by)})" if by else ""))
    out += ["", "## Related past discussions", ""]
    for rel in r.related:
        out.append(f"- {md_escape(rel.subject)} ({md_escape(_date(rel.date))}; thread "
                   f"{md_escape(rel.thread_id)})")
    if not r.related:
        out.append("None found.")
    out += ["", "## Responses in full", ""]
    for resp in r.responses:
        who = ", ".join(x for x in (resp.author_name, resp.organisation, resp.country) if x)
        out += [f"### {md_escape(who)}, {md_escape(_date(resp.date))}", "",
                f"Message: {md_link(resp.message_id, resp.permalink)}", "", md_block(resp.text), ""]
    if r.notes:
        out += ["## Notes", ""] + [f"- {md_escape(n)}" for n in r.notes] + [""]
    return "\n".join(out).rstrip() + "\n"
