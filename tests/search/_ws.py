"""A tiny workspace filled by inserting rows straight into ``messages`` (no ingest needed)."""
from __future__ import annotations

from miner.nlp import HashingEmbedder
from miner.workspace import Workspace

# (key, subject, text, thread, person, date, list, from_name)
ROWS = [
    ("m1@x", "Youth participation in elections", "How do we get young people to vote in local "
     "elections? Our turnout among youth is very low.", "t1", 1, "2019-01-05T10:00:00+00:00",
     "gov", "Alice Ngo"),
    ("m2@x", "Re: Youth participation in elections", "In Kenya we ran school mock elections and "
     "youth turnout rose.\n\nSecond paragraph about civic education.", "t1", 2,
     "2019-01-06T10:00:00+00:00", "gov", "Bob Otieno"),
    ("m3@x", "Budget transparency portals", "Which open budget portal software do ministries use? "
     "We need citizens to see spending.", "t2", 3, "2019-03-01T09:00:00+00:00", "gov",
     "Carla Ruiz"),
    ("m4@x", "Re: Budget transparency portals", "We used OpenSpending for the budget data.", "t2",
     1, "2019-03-02T09:00:00+00:00", "gov", "Alice Ngo"),
    ("m5@x", "Water sanitation in rural areas", "Lessons learned from rural water sanitation "
     "projects in Malawi: community ownership matters.", "t3", 2, "2020-06-01T08:00:00+00:00",
     "wash", "Bob Otieno"),
    ("m6@x", "Meta-analysis of dependent effect sizes", "How do I fit a multilevel model with "
     "dependent effect sizes (rma.mv)? \"quotes\" AND (parens) NEAR* ^x -y", "t4", 3,
     "2021-02-01T08:00:00+00:00", "stats", "Carla Ruiz"),
]
PEOPLE = [(1, "Alice Ngo", "alice@x.org"), (2, "Bob Otieno", "bob@x.org"),
          (3, "Carla Ruiz", "carla@x.org")]


def add_message(ws, key, subject, text, thread, person, date, list_name, from_name):
    ws.db.execute(
        "INSERT INTO messages(key, message_id, list, subject, from_name, date, text, thread_id, "
        "person_id) VALUES (?,?,?,?,?,?,?,?,?)",
        (key, key, list_name, subject, from_name, date, text, thread, person))


def make_workspace(path, rows=ROWS, *, embedder=None) -> Workspace:
    """A workspace at ``path`` holding ``rows``, with a HashingEmbedder injected."""
    ws = Workspace.open(path, create=True)
    ws.embedder = embedder or HashingEmbedder(dim=64)
    with ws.db:
        for pid, name, email in PEOPLE:
            ws.db.execute("INSERT OR IGNORE INTO people(person_id, name, email) VALUES (?,?,?)",
                          (pid, name, email))
        for r in rows:
            add_message(ws, *r)
        for tid in {r[3] for r in rows}:
            ms = [r for r in rows if r[3] == tid]
            ws.db.execute(
                "INSERT OR REPLACE INTO threads(thread_id, root_key, list, subject, start, \"end\", "
                "messages, participants) VALUES (?,?,?,?,?,?,?,?)",
                (tid, ms[0][0], ms[0][6], ms[0][1], ms[0][5], ms[-1][5], len(ms),
                 len({m[4] for m in ms})))
    return ws
