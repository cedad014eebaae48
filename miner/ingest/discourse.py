"""Discourse forum JSON: a topic (``/t/ID.json``: ``post_stream.posts``), a single post
(``/posts/ID.json``), or a topic list (no posts: yields nothing).

Each post is one message. Its id is ``TOPIC.POST_NUMBER@discourse`` (stable across
re-exports); a post replies to ``reply_to_post_number`` when set, else to the topic's
first post. ``cooked`` HTML is turned into text with quoted posts (``<aside class=
"quote">``) rendered as "> " lines so the segmenter sees them.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator

from miner.errors import SourceError
from miner.ingest.htmltext import html_to_text
from miner.ingest.mime import _links  # noqa: PLC2701 - the same link extraction as mail
from miner.ingest.tabular import _date
from miner.ingest.formats import read_all
from miner.types import ParsedMessage, SourceItem

MAX_FILE = 512 * 1024**2
_ASIDE = re.compile(r"<aside class=\"quote[^\"]*\"[^>]*>(.*?)</aside>", re.S | re.I)
_BLOCKQUOTE = re.compile(r"<blockquote>(.*?)</blockquote>", re.S | re.I)
_ASIDE_TITLE = re.compile(r"<div class=\"title\">.*?</div>", re.S | re.I)


def post_id(topic_id, post_number) -> str:
    return f"{topic_id}.{post_number}@discourse"


def cooked_text(cooked: str) -> str:
    """Text of a post's cooked HTML, quotes as "> " lines."""
    quotes: list[str] = []

    def keep(m: re.Match) -> str:
        inner = _ASIDE_TITLE.sub("", m.group(1))
        bq = _BLOCKQUOTE.search(inner)
        text = html_to_text(bq.group(1) if bq else inner).strip("\n")
        quotes.append("\n".join("> " + ln if ln.strip() else ">" for ln in text.split("\n")))
        return f"<p>QUOTE{len(quotes) - 1}MARK</p>"

    text = html_to_text(_ASIDE.sub(keep, cooked or ""))
    for i, q in enumerate(quotes):
        text = text.replace(f"QUOTE{i}MARK", q)
    return text.strip("\n") + "\n"


def post_message(post: dict, title: str, slug: str | None) -> ParsedMessage:
    topic = post.get("topic_id")
    number = post.get("post_number")
    reply_to = post.get("reply_to_post_number")
    parent = None
    if reply_to:
        parent = post_id(topic, reply_to)
    elif number and int(number) > 1:
        parent = post_id(topic, 1)
    body = cooked_text(post.get("cooked") or post.get("raw") or "")
    date = _date(post.get("created_at"))
    name = (post.get("name") or post.get("display_username") or post.get("username") or "")
    return ParsedMessage(
        message_id=post_id(topic, number), subject=title if number in (1, None) else
        f"Re: {title}", from_name=name.strip(), from_email="", date=date,
        date_source="source" if date else "none", in_reply_to=parent,
        references=(parent,) if parent else (), body=body,
        headers=(("X-Discourse-Username", str(post.get("username") or "")),
                 ("X-Discourse-Post-Id", str(post.get("id") or ""))),
        links=_links(body), html=True, problems=() if date else ("no created_at",),
        permalink=None,
    )


class DiscourseAdapter:
    name = "discourse"
    description = "Discourse topic / post JSON (post_stream)"

    def sniff(self, head: bytes, path: str) -> float:
        text = head.lstrip()[:65536]
        if not text.startswith(b"{"):
            return 0.0
        if b'"post_stream"' in text or b'"topic_list"' in text:
            return 0.95
        if b'"cooked"' in text and b'"topic_id"' in text and b'"post_number"' in text:
            return 0.9
        return 0.0

    def iter_items(self, f, source: str) -> Iterator[SourceItem]:
        data = read_all(f, MAX_FILE)
        try:
            obj = json.loads(data.decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError) as e:
            raise SourceError(f"{source}: not valid JSON ({e}); check the file") from None
        if not isinstance(obj, dict):
            raise SourceError(f"{source}: not a Discourse topic or post (a JSON object)")
        if "post_stream" in obj:
            posts = obj["post_stream"].get("posts") or []
            title = obj.get("title") or obj.get("fancy_title") or ""
        elif "cooked" in obj:
            posts, title = [obj], obj.get("topic_title") or obj.get("topic_slug") or ""
        else:
            return  # a topic list: no posts in it
        for i, post in enumerate(posts, 1):
            where = f"post {post.get('post_number', i)}" if isinstance(post, dict) else f"post {i}"
            raw = json.dumps(post, ensure_ascii=False, default=str).encode("utf-8")
            if not isinstance(post, dict) or post.get("topic_id") is None:
                yield SourceItem(source, where, raw=raw, error="not a Discourse post")
                continue
            try:
                p = post_message(post, title, obj.get("slug"))
            except (TypeError, ValueError) as e:
                yield SourceItem(source, where, raw=raw, error=f"unreadable post: {e}")
                continue
            yield SourceItem(source, where, raw=raw, parsed=p)
