"""Word rendering of a consolidated reply (python-docx): headings, numbered contributors,
attributions hyperlinked to message permalinks where the archive has them."""
from __future__ import annotations

from pathlib import Path

from miner.errors import MissingDependencyError
from miner.stages.summary.records import ConsolidatedReply, Point
from miner.stages.summary.textsafe import plain, safe_url


def _docx():
    try:
        import docx  # noqa: F401
    except ImportError:
        raise MissingDependencyError("python-docx", "export") from None
    return docx


def _hyperlink(paragraph, text: str, url: str) -> None:
    """Append a real hyperlink run (python-docx has no public API for it)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    r_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    hl = OxmlElement("w:hyperlink")
    hl.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    style = OxmlElement("w:color")
    style.set(qn("w:val"), "1F4E99")
    rpr.append(style)
    u = OxmlElement("w:u")
    u.set(qn("w:val"), "single")
    rpr.append(u)
    run.append(rpr)
    t = OxmlElement("w:t")
    t.text = plain(text)
    t.set(qn("xml:space"), "preserve")
    run.append(t)
    hl.append(run)
    paragraph._p.append(hl)


def _attr(par, text: str, url: str | None) -> None:
    u = safe_url(url)
    if u:
        _hyperlink(par, text, u)
    else:
        run = par.add_run(plain(text))
        run.italic = True


def _point(doc, p: Point) -> None:
    par = doc.add_paragraph(style="List Bullet")
    par.add_run(plain(p.text) + " ")
    _attr(par, p.attribution, p.permalink)


def _date(d) -> str:
    return d.strftime("%d %B %Y") if d else "date unknown"


def render_docx(r: ConsolidatedReply, path: str | Path) -> Path:
    """Write ``r`` as a .docx file at ``path`` and return the path."""
    docx = _docx()
    from docx.shared import Pt

    doc = docx.Document()
    doc.core_properties.title = plain(r.title)[:250]
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.add_heading(plain(r.title), level=0)
    if r.edited:
        doc.add_paragraph().add_run("Edited by the facilitator.").italic = True
    doc.add_heading("The query", level=1)
    if r.query:
        q = r.query
        who = ", ".join(x for x in (q.author_name, q.organisation, q.place) if x)
        par = doc.add_paragraph()
        par.add_run("Asked by ").bold = True
        par.add_run(plain(f"{who}, {_date(q.date)} ("))
        _attr(par, q.message_id, q.permalink)
        par.add_run(")")
        for block in plain(q.text).split("\n\n"):
            doc.add_paragraph(block.strip(), style="Quote")
    doc.add_heading("Contributors", level=1)
    for c in r.contributors:
        bits = ", ".join(x for x in (c.title, c.organisation, c.country) if x)
        doc.add_paragraph(plain(c.name + (f", {bits}" if bits else "")), style="List Number")
    doc.add_heading("Summary of responses", level=1)
    for t in r.themes:
        doc.add_heading(plain(t.label), level=2)
        for p in t.points:
            _point(doc, p)
    doc.add_heading("Comparative experiences", level=1)
    for e in r.experiences:
        doc.add_heading(plain(e.place), level=2)
        for p in e.points:
            _point(doc, p)
    doc.add_heading("Related resources", level=1)
    for res in r.resources:
        par = doc.add_paragraph(style="List Bullet")
        par.add_run(f"{res.kind}: ")
        if res.kind == "link" and safe_url(res.url):
            _hyperlink(par, res.name, safe_url(res.url))
        else:
            par.add_run(plain(res.name))
        if res.recommended_by:
            par.add_run(plain(" (recommended by " + ", ".join(res.recommended_by) + ")")).italic = True
    doc.add_heading("Related past discussions", level=1)
    for rel in r.related:
        doc.add_paragraph(plain(f"{rel.subject} ({_date(rel.date)}; thread {rel.thread_id})"),
                          style="List Bullet")
    if not r.related:
        doc.add_paragraph("None found.")
    doc.add_heading("Responses in full", level=1)
    for resp in r.responses:
        who = ", ".join(x for x in (resp.author_name, resp.organisation, resp.country) if x)
        doc.add_heading(plain(f"{who}, {_date(resp.date)}"), level=3)
        par = doc.add_paragraph()
        _attr(par, resp.message_id, resp.permalink)
        for block in plain(resp.text).split("\n\n"):
            if block.strip():
                doc.add_paragraph(block.strip())
    if r.notes:
        doc.add_heading("Notes", level=1)
        for n in r.notes:
            doc.add_paragraph(plain(n), style="List Bullet")
    path = Path(path)
    doc.save(str(path))
    return path
