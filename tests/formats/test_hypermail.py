from __future__ import annotations

import re

import pytest

from miner.ingest.hypermail import decode_page, parse_hypermail, render_body

from .conftest import adapter_for, count, quarantined, stored


def test_quote_levels_and_prefixes():
    body = ('<br />\nWei writes:\n<br />\n<em class="quotelev1">&gt; one\n</em><br />\n'
            '<em class="quotelev2">two\n</em><br />\n<br />My answer.\n<br />\n')
    text, levels = render_body(body)
    assert text.splitlines() == ["Wei writes:", "> one", "> > two", "", "My answer."]
    assert levels == (0, 1, 2, 0, 0)


def test_comments_win_and_subject_inreplyto_is_not_an_id():
    page = ('<html><head><meta name="generator" content="hypermail 2.3.0" /></head><body>'
            '<!-- isosent="19980119032225" -->\n<!-- name="Hal Finney" -->\n'
            '<!-- email="hal&#64;example.org" -->\n<!-- subject="Re: x &amp; y" -->\n'
            '<!-- id="abc.1@example.org" -->\n<!-- inreplyto="basic questions" -->\n'
            '<!-- body="start" --><div class="mail">hi\n<br />\n</div><!-- body="end" -->')
    p = parse_hypermail(page, resolve=lambda name: None)
    assert (p.message_id, p.from_email, p.subject) == ("abc.1@example.org", "hal@example.org",
                                                      "Re: x & y")
    assert p.date.isoformat() == "1998-01-19T03:22:25+00:00"
    assert p.in_reply_to is None and p.body == "hi\n"


def test_broken_page_is_quarantined(ingest, tmp_path):
    f = tmp_path / "0001.html"
    f.write_text('<html><meta name="generator" content="hypermail 2.3.0" /><body>'
                 '<!-- id="x@y" -->nothing else')
    ws, rep = ingest(f)
    assert stored(ws) + quarantined(ws) == 1


@pytest.mark.slow
def test_everything_list_sample(ingest, corpora):
    pages = sorted((corpora / "everything-list-hypermail-html" / "messages").glob("*.html"))
    ids = sum(len(re.findall(rb'<!-- id="', p.read_bytes())) for p in pages)
    assert ids == 400
    assert adapter_for(pages[7]) == "hypermail"
    ws, rep = ingest(str(corpora / "everything-list-hypermail-html" / "messages" / "*.html"))
    assert stored(ws) + quarantined(ws) + rep.duplicates == ids
    assert quarantined(ws) == 0
    # 349 pages say what they reply to; 186 of those parents are in the sample
    linked = count(ws, "SELECT count(*) FROM messages m JOIN messages p ON p.key = m.parent_key "
                       "WHERE m.in_reply_to = p.message_id")
    print("replies linked to their parent by id:", linked)
    assert linked >= 180
    levels = count(ws, "SELECT count(*) FROM messages WHERE quoted_text != ''")
    assert levels > 100
    p = decode_page((pages[7]).read_bytes())
    assert "> > I think there would be a mapping" in parse_hypermail(p).body
