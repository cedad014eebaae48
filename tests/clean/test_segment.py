"""Unit tests of miner.clean.segment on tiny fixtures: every segment kind, offsets, languages."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from miner.clean import segment
from miner.types import SEGMENT_KINDS

DATA = Path(__file__).resolve().parent.parent / "data" / "clean"


def kinds_of(text: str) -> dict[str, str]:
    """{kind: text of all segments of that kind joined}."""
    out: dict[str, str] = {}
    for s in segment(text).segments:
        out[s.kind] = out.get(s.kind, "") + text[s.start : s.end]
    return out


def assert_partition(text: str) -> None:
    segs = segment(text).segments
    pos = 0
    for s in segs:
        assert s.kind in SEGMENT_KINDS
        assert s.start == pos and s.end > s.start
        pos = s.end
    assert pos == len(text)


def test_empty_text() -> None:
    c = segment("")
    assert c.segments == () and c.new_text == ""


def test_plain_text_is_all_new() -> None:
    c = segment("Just one line.")
    assert [s.kind for s in c.segments] == ["new"] and c.new_text == "Just one line."


def test_top_posted_outlook_reply() -> None:
    text = (DATA / "top_posted_outlook.txt").read_text()
    c = segment(text)
    k = kinds_of(text)
    assert c.new_text.startswith("Thanks Maria") and "Kind regards" in c.new_text
    assert "Peter Olsen" in c.new_text  # the name after a closing is closing
    assert "Water Governance Facility" in c.signature
    assert "-----Original Message-----" in k["reply_header"]
    assert "Permits are issued" in k["quote"] and "Permits" not in c.new_text
    assert_partition(text)


def test_inline_reply_keeps_every_new_paragraph() -> None:
    text = (DATA / "inline_reply.txt").read_text()
    c = segment(text)
    assert "Friday works for me." in c.new_text and "Yes, I will print it." in c.new_text
    assert "Should we meet" in c.quoted_text and "bring the report" in c.quoted_text
    assert "Should we meet" not in c.new_text
    assert c.signature.endswith("Bob")
    k = kinds_of(text)
    assert k["salutation"].strip() == "Hi Ann,"
    assert "wrote:" in k["reply_header"]


def test_quoted_text_has_markers_removed() -> None:
    c = segment("Yes.\n\nOn Mon, 1 Jan 2024, A <a@b.c> wrote:\n> > deep\n> shallow\n")
    assert c.quoted_text == "deep\nshallow"


def test_mailman_footer_and_html_deleted() -> None:
    text = (DATA / "mailman_footer.txt").read_text()
    c = segment(text)
    k = kinds_of(text)
    assert c.new_text == "Is there a package for mixed models with crossed random effects?"
    assert "listinfo" in k["footer"] and "alternative HTML version deleted" in k["footer"]


def test_given_footer_block() -> None:
    footer = "The Water Community of Practice\nShare what you know with the members of this network"
    text = "My answer is yes.\n\n" + footer + "\n"
    assert segment(text).new_text == "My answer is yes.\n\n" + footer
    c = segment(text, footers=[footer])
    assert c.new_text == "My answer is yes."
    assert any(s.kind == "footer" for s in c.segments)


def test_disclaimer_by_content() -> None:
    text = (
        "See you tomorrow.\n\n"
        "This e-mail and any attachments are confidential and may be privileged. If you are not the\n"
        "intended recipient, please notify the sender immediately and delete it. Any dissemination is\n"
        "prohibited.\n"
    )
    k = kinds_of(text)
    assert "intended recipient" in k["disclaimer"]
    assert segment(text).new_text == "See you tomorrow."


def test_forwarded_message() -> None:
    text = "FYI, see below.\n\n---------- Forwarded message ---------\nFrom: A <a@b.c>\nDate: Tue\n\nOld text.\n"
    k = kinds_of(text)
    assert "Old text." in k["forwarded"] and "Forwarded message" in k["forwarded"]
    assert segment(text).new_text == "FYI, see below."


def test_begin_forwarded_apple() -> None:
    text = "Look at this.\n\nBegin forwarded message:\n\nFrom: A <a@b.c>\nSubject: x\n\nBody.\n"
    assert segment(text).new_text == "Look at this."


def test_signature_dash_dash_and_mobile() -> None:
    assert segment("Sure.\n\n-- \nJane Doe\nhttp://jane.example\n").signature == "-- \nJane Doe\nhttp://jane.example"
    c = segment("On my way.\n\nSent from my iPhone\n")
    assert c.new_text == "On my way." and c.signature == "Sent from my iPhone"


def test_signature_without_delimiter_after_closing() -> None:
    text = "The workshop is on Monday.\n\nBest regards,\nJuan Pérez\nCoordinator\nRed de Agua\nLima, Peru\n"
    c = segment(text)
    assert c.new_text.endswith("Best regards,\nJuan Pérez")
    assert c.signature == "Coordinator\nRed de Agua\nLima, Peru"


@pytest.mark.parametrize(
    "text,kind",
    [
        ("Hi all,\n\nA question.", "salutation"),
        ("Dear colleagues,\n\nA question.", "salutation"),
        ("Bonjour à tous,\n\nUne question.", "salutation"),
        ("A question.\n\nCordialement,", "closing"),
        ("Una pregunta.\n\nSaludos,", "closing"),
        ("A question.\n\nBest regards,", "closing"),
    ],
)
def test_salutations_and_closings(text: str, kind: str) -> None:
    assert kind in kinds_of(text)
    assert segment(text).new_text == text.strip()


@pytest.mark.parametrize(
    "header",
    [
        "On Mon, Jan 1, 2024 at 10:00 AM, Ann Lee <ann@example.org> wrote:",
        "Le lun. 1 janv. 2024 à 10:00, Ann Lee <ann@example.org> a écrit :",
        "Am Mo., 1. Jan. 2024 um 10:00 Uhr schrieb Ann Lee <ann@example.org>:",
        "El lun, 1 ene 2024 a las 10:00, Ann Lee (<ann@example.org>) escribió:",
        "Em seg., 1 de jan. de 2024 às 10:00, Ann Lee <ann@example.org> escreveu:",
        "Il giorno lun 1 gen 2024 alle ore 10:00 Ann Lee <ann@example.org> ha scritto:",
        "Op ma 1 jan. 2024 om 10:00 schreef Ann Lee <ann@example.org>:",
        "pon., 1 sty 2024 o 10:00 Ann Lee <ann@example.org> napisał(a):",
        "пн, 1 янв. 2024 г. в 10:00, Ann Lee <ann@example.org>:",
        "Den 1 jan. 2024 kl. 10:00 skrev Ann Lee <ann@example.org>:",
        "ma 1.1.2024 klo 10.00 Ann Lee (ann@example.org) kirjoitti:",
        "Dne 1. 1. 2024 10:00 napsal(a) Ann Lee <ann@example.org>:",
        "2024. jan. 1. 10:00 időpontban Ann Lee <ann@example.org> ezt írta:",
        "2024年1月1日(月) 10:00 Ann Lee <ann@example.org>:",
        "在 2024年1月1日，上午10:00，Ann Lee <ann@example.org> 写道：",
    ],
)
def test_multilingual_reply_headers_top_posting(header: str) -> None:
    text = f"My reply.\n\n{header}\n\nThe older message, not quoted with >.\n"
    c = segment(text)
    assert c.new_text == "My reply."
    k = kinds_of(text)
    assert header in k["reply_header"]
    assert "The older message" in k["quote"]


def test_wrapped_reply_header() -> None:
    text = "Agreed.\n\nOn Mon, Feb 1, 2016 at 6:32 PM, Jeff Atwood <info@example.org>\nwrote:\n\n> Old.\n"
    k = kinds_of(text)
    assert k["reply_header"].startswith("On Mon") and "wrote:" in k["reply_header"]
    assert segment(text).new_text == "Agreed."


@pytest.mark.parametrize(
    "block",
    [
        "From: Ann\nSent: Monday\nTo: Bob\nSubject: x",
        "Von: Ann\nGesendet: Montag\nAn: Bob\nBetreff: x",
        "De : Ann\nEnvoyé : lundi\nÀ : Bob\nObjet : x",
        "________________________________\nFrom: Ann\nSent: Monday",
    ],
)
def test_outlook_header_blocks(block: str) -> None:
    text = f"New words.\n\n{block}\n\nOld words.\n"
    c = segment(text)
    assert c.new_text == "New words."
    assert "Old words." in c.quoted_text


def test_code_and_log_kinds() -> None:
    text = (
        "Here is my code:\n\n"
        "> x <- rnorm(10)\n> summary(x)\n"
        "\nand the error:\n\n"
        "Traceback (most recent call last):\n  File \"a.py\", line 1, in <module>\n"
        "ValueError: bad\n\nAny idea?\n"
    )
    k = kinds_of(text)
    assert "x <- rnorm(10)" in k["code"]
    assert "Traceback" in k["log"] and "ValueError" in k["log"]
    c = segment(text)
    assert "summary(x)" in c.new_text and c.quoted_text == ""
    assert_partition(text)


def test_indented_code_block() -> None:
    text = "Try:\n\n    def f(x):\n        return x + 1\n\nIt works.\n"
    assert "def f" in kinds_of(text)["code"]


def test_pipe_quotes() -> None:
    text = "Yes.\n\n| line one\n| line two\n| line three\n\nNo.\n"
    c = segment(text)
    assert "line two" in c.quoted_text and "line two" not in c.new_text


def test_pipe_and_colon_quotes_need_three_lines() -> None:
    two = "Yes.\n\n| line one\n| line two\n\n: three\n: four\n"
    assert segment(two).quoted_text == ""
    three = "Yes.\n\n: line one\n: line two\n:\n: line four\n\nNo.\n"
    c = segment(three)
    assert c.quoted_text == "line one\nline two\n\nline four" and "No." in c.new_text


def test_quote_markers_removed_at_every_depth_and_indent() -> None:
    c = segment("Yes.\n\nOn Mon, 1 Jan 2024, A <a@b.c> wrote:\n  > >deep\n>>> deeper\n>\n> x > y\n")
    assert c.quoted_text == "deep\ndeeper\n\nx > y"


def test_trailing_list_footer_by_content() -> None:
    footer = ("You are currently subscribed to devel as: ann@example.org.\n"
              "To unsubscribe send a blank email to leave-42@lists.example.org")
    text = "Hi,\n\nThe build is green again.\n\nAnn\n\n" + footer + "\n"
    assert "currently subscribed" in kinds_of(text)["footer"]
    assert "subscribed" not in segment(text).new_text
    # the same words as the first paragraph are the author's text, not a footer
    assert "subscribed" in segment(footer + "\n\nThanks.\n").new_text


def test_crlf_offsets() -> None:
    text = "Hi,\r\n\r\nText.\r\n\r\nOn Mon, 1 Jan 2024, A <a@b.c> wrote:\r\n> q\r\n"
    assert_partition(text)
    assert segment(text).new_text.replace("\r", "") == "Hi,\n\nText."


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(list("ab >|:-_\n\r\t.,@1<`") + ["wrote:", "From: ", "Sent: ", "-- ", "Thanks,", "    ", "Hi all,"]),
        max_size=120,
    ).map("".join)
)
def test_property_segments_cover_text(text: str) -> None:
    c = segment(text)
    pos = 0
    for s in c.segments:
        assert s.kind in SEGMENT_KINDS
        assert s.start == pos and s.end > s.start
        pos = s.end
    assert pos == len(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_property_any_unicode_never_raises(text: str) -> None:
    c = segment(text)
    assert sum(s.end - s.start for s in c.segments) == len(text)
