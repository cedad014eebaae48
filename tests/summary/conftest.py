"""A tiny e-discussion written straight into a workspace (no ingest needed), and fakes."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from miner.nlp import HashingEmbedder
from miner.workspace import Workspace

PEOPLE = [
    # name, organisation, title, country
    ("Helena Brandt", "Governance Practice Network", "Facilitator", "Sweden"),
    ("Amina Yusuf", "Youth Vote Nigeria", "Programme Officer", "Nigeria"),
    ("Carlos Rivera", "Municipal Association", "Adviser", "Peru"),
    ("Priya Nair", "Centre for Democratic Governance", "Researcher", "India"),
    ("Jean Dupont", "Agence de Développement Local", "Director", "Senegal"),
]

QUERY = ("Dear colleagues,\n\nHow have your municipalities involved citizens in local budgeting?\n"
         "What worked, and which tools or guides would you recommend?\n\nBest regards,\nHelena")

RESPONSES = [
    (1, "Dear Helena,\n\nIn Nigeria we ran ward-level budget hearings in twelve local councils.\n"
        "The hearings worked best when the draft budget was published two weeks before.\n"
        "Young people came when the meetings were held in the evening.\n"
        "We used the \"Participatory Budgeting Handbook\" from the World Bank Institute.\n\n"
        "Best,\nAmina"),
    (2, "In Peru the municipal participatory budget is mandated by law since 2003.\n"
        "Our main lesson is that citizens lose interest when approved projects are not executed.\n"
        "We publish a public dashboard showing the status of each approved project.\n"
        "See http://presupuesto.example.org/dashboard for an example."),
    (3, "In India several cities used ward committees to discuss budget priorities.\n"
        "Publishing the draft budget in local languages increased participation considerably.\n"
        "The Centre for Budget Studies has a useful toolkit on citizen budgets.\n"
        "Young people joined through an online platform called BudgetApp."),
    (4, "Au Sénégal, nous avons organisé des forums de quartier sur le budget communal.\n"
        "In Senegal the neighbourhood forums worked best when the mayor attended in person.\n"
        "Publishing the draft budget early was also key for us."),
    (1, "One more point: in Nigeria the evening hearings doubled youth attendance.\n"
        "We also recorded the hearings and shared them on community radio."),
]


def insert(ws, messages, thread_id="t-budget", subject="[gov-cop] E-Discussion: citizen budgets",
           people=PEOPLE, start=datetime(2021, 10, 4, 9, tzinfo=timezone.utc), permalinks=True):
    """``messages``: (person index, text) pairs; the first is the query."""
    conn = ws.db
    with conn:
        for i, (name, org, title, country) in enumerate(people, 1):
            conn.execute("INSERT OR IGNORE INTO people(person_id, name, email, organisation, title,"
                         " country, messages) VALUES (?,?,?,?,?,?,1)",
                         (i, name, f"p{i}@example.org", org, title, country))
        mids = []
        for n, (pi, text) in enumerate(messages):
            mid = f"{thread_id}-{n}@example.org"
            mids.append(mid)
            date = (start + timedelta(hours=5 * n)).isoformat()
            conn.execute(
                "INSERT INTO messages(key, message_id, list, subject, from_name, from_email, date,"
                " text, thread_id, parent_key, person_id, permalink) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (mid, mid, "gov-cop", subject if n == 0 else "Re: " + subject, people[pi][0],
                 f"p{pi + 1}@example.org", date, text, thread_id, mids[0] if n else None, pi + 1,
                 f"https://lists.example.org/archive/{thread_id}/{n}.html" if permalinks else None))
        conn.execute("INSERT INTO threads(thread_id, root_key, list, subject, start, \"end\", "
                     "messages, participants) VALUES (?,?,?,?,?,?,?,?)",
                     (thread_id, mids[0], "gov-cop", subject, start.isoformat(),
                      (start + timedelta(hours=5 * len(messages))).isoformat(), len(messages),
                      len({p for p, _ in messages})))
    return mids


@pytest.fixture
def ws(tmp_path):
    w = Workspace.open(tmp_path / "ws", create=True)
    w.embedder = HashingEmbedder(dim=64)
    yield w
    w.close()


@pytest.fixture
def discussion(ws):
    mids = insert(ws, [(0, QUERY)] + RESPONSES)
    return ws, mids


@pytest.fixture(autouse=True)
def no_spacy(monkeypatch, request):
    """Unit tests use the patterns only; ``model`` tests load the real spaCy model."""
    if request.node.get_closest_marker("model") is None:
        from miner.stages.summary import resources

        monkeypatch.setattr(resources, "_nlp", lambda: None)
