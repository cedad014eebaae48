"""parse_signature and learn_footers."""
from __future__ import annotations

from miner.clean import learn_footers, parse_signature, segment


def test_parse_signature_fields() -> None:
    sig = parse_signature("Jane Doe\nProgramme Officer\nUNDP Kenya\nNairobi, Kenya\nTel: +254 20 123 4567")
    assert sig.name == "Jane Doe"
    assert sig.title == "Programme Officer"
    assert sig.organisation == "UNDP Kenya"
    assert sig.country == "Kenya"


def test_parse_signature_one_line_and_unknowns() -> None:
    sig = parse_signature("-- \nMarc Dubois | Chargé de mission | Agence Française de Développement | France")
    assert sig.title == "Chargé de mission"
    assert sig.organisation == "Agence Française de Développement"
    assert sig.country == "France"
    empty = parse_signature("cheers\nbob")
    assert empty.title is None and empty.organisation is None and empty.country is None


def test_parse_signature_uses_author_name() -> None:
    assert parse_signature("A. Kumar\nSenior Analyst", author_name="A. Kumar").name == "A. Kumar"


def test_learn_footers_finds_shared_tail_and_segment_uses_it() -> None:
    footer = "--\nYou are subscribed to the Rural Health network.\nTo leave, write to leave@rh.example.org"
    bodies = [f"Message number {i} says something different.\n\n{footer}\n" for i in range(20)]
    bodies += [f"A message without footer {i}." for i in range(20)]
    learned = learn_footers(bodies)
    assert learned == [footer]
    c = segment(bodies[0], footers=learned)
    assert c.new_text == "Message number 0 says something different."
    assert any(s.kind == "footer" for s in c.segments)


def test_learn_footers_ignores_rare_tails() -> None:
    bodies = [f"text {i}\nBest,\nAnn" for i in range(3)] + [f"other {i}" for i in range(100)]
    assert learn_footers(bodies) == []


def test_learn_footers_repeated_disclaimer_is_disclaimer() -> None:
    disc = ("This message is confidential and intended only for the addressee. If you received it in "
            "error, please notify the sender and delete it.")
    bodies = [f"Reply {i}.\n\n{disc}" for i in range(10)]
    learned = learn_footers(bodies)
    assert learned == [disc]
    assert any(s.kind == "disclaimer" for s in segment(bodies[1], footers=learned).segments)
