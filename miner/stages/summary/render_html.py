"""Self-contained HTML rendering of a consolidated reply: inline CSS, no script, no remote
resource, a Content-Security-Policy that forbids both, and every archive string escaped."""
from __future__ import annotations

from html import escape

from miner.stages.summary.records import ConsolidatedReply, Point
from miner.stages.summary.textsafe import plain, safe_url

_CSS = """body{font-family:Georgia,serif;max-width:48rem;margin:2rem auto;padding:0 1rem;
line-height:1.5;color:#222}h1{font-size:1.7rem}h2{border-bottom:1px solid #ccc;margin-top:2rem}
.attr{color:#555;font-size:.92em}.full{white-space:pre-wrap;background:#f7f7f7;padding:.6rem;
border-left:3px solid #bbb}.note{color:#8a5a00}"""


def h(s) -> str:
    return escape(plain("" if s is None else str(s)), quote=True)


def link(text: str, url: str | None) -> str:
    u = safe_url(url)
    return f'<a href="{h(u)}" rel="noopener noreferrer">{h(text)}</a>' if u else h(text)


def _date(d) -> str:
    return d.strftime("%d %B %Y") if d else "date unknown"


def _point(p: Point) -> str:
    attr = link(p.attribution, p.permalink) if p.permalink else \
        f'{h(p.attribution)} <span title="Message-ID">[{h(p.message_id)}]</span>'
    return f'<li>{h(p.text)} <span class="attr">{attr}</span></li>'


def render_html(r: ConsolidatedReply) -> str:
    o = ['<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
         '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
         'style-src \'unsafe-inline\'">',
         f'<title>{h(r.title)}</title><style>{_CSS}</style></head><body>',
         f'<h1>{h(r.title)}</h1>']
    if r.edited:
        o.append('<p class="note">Edited by the facilitator.</p>')
    o.append('<h2>The query</h2>')
    if r.query:
        q = r.query
        who = ", ".join(x for x in (q.author_name, q.organisation, q.place) if x)
        o += [f'<p><strong>Asked by</strong> {h(who)}, {h(_date(q.date))} '
              f'({link(q.message_id, q.permalink)})</p>', f'<div class="full">{h(q.text)}</div>']
    o.append('<h2>Contributors</h2><ol>')
    for c in r.contributors:
        bits = ", ".join(x for x in (c.title, c.organisation, c.country) if x)
        o.append(f'<li>{h(c.name)}' + (f', {h(bits)}' if bits else '') + '</li>')
    o.append('</ol><h2>Summary of responses</h2>')
    for t in r.themes:
        o.append(f'<h3>{h(t.label)}</h3><ul>' + "".join(_point(p) for p in t.points) + '</ul>')
    o.append('<h2>Comparative experiences</h2>')
    for e in r.experiences:
        o.append(f'<h3>{h(e.place)}</h3><ul>' + "".join(_point(p) for p in e.points) + '</ul>')
    o.append('<h2>Related resources</h2><ul>')
    for res in r.resources:
        name = link(res.name, res.url) if res.kind == "link" else h(res.name)
        by = ", ".join(res.recommended_by)
        o.append(f'<li>{h(res.kind)}: {name}' + (f' <span class="attr">(recommended by {h(by)})'
                                                  f'</span>' if by else '') + '</li>')
    o.append('</ul><h2>Related past discussions</h2><ul>')
    for rel in r.related:
        o.append(f'<li>{h(rel.subject)} <span class="attr">({h(_date(rel.date))}; thread '
                 f'{h(rel.thread_id)})</span></li>')
    if not r.related:
        o.append('<li>None found.</li>')
    o.append('</ul><h2>Responses in full</h2>')
    for resp in r.responses:
        who = ", ".join(x for x in (resp.author_name, resp.organisation, resp.country) if x)
        o += [f'<h3>{h(who)}, {h(_date(resp.date))}</h3>',
              f'<p class="attr">{link(resp.message_id, resp.permalink)}</p>',
              f'<div class="full">{h(resp.text)}</div>']
    if r.notes:
        o.append('<h2>Notes</h2><ul>' + "".join(f'<li class="note">{h(n)}</li>' for n in r.notes)
                 + '</ul>')
    o.append('</body></html>')
    return "\n".join(o) + "\n"
