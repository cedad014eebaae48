"""A learned footer must recur across senders and threads: a quoted message's tail (top-posted
replies all end with the text they quote) or a poster's signature is not the list's footer."""
from __future__ import annotations

from miner.clean import learn_footers

FOOTER = "____\nteam mailing list\nhttps://lists.example.org/listinfo/team"
QUOTED_TAIL = "3. What would you do?\nDeadline: Friday.\nHelena Brandt\nFacilitator"


def test_quoted_tail_and_signatures_are_not_footers():
    bodies, senders, subjects, names = [], [], [], []
    for i in range(30):  # ordinary messages in many threads, all with the list footer
        bodies.append(f"message {i} text\n\n{FOOTER}")
        senders.append(f"p{i % 9}@example.org")
        subjects.append(f"topic {i}")
        names.append(f"Person {i % 9}")
    for i in range(12):  # replies in ONE thread that all quote the query's tail at the bottom
        bodies.append(f"my answer {i}\n\n-----Original Message-----\n{QUOTED_TAIL}\n\n{FOOTER}")
        senders.append(f"r{i}@example.org")
        subjects.append("the query")
        names.append(f"Responder {i}")
    names.append("Helena Brandt")
    found = learn_footers(bodies, senders=senders, subjects=subjects, names=names)
    assert found == [FOOTER]
