"""A tiny workspace built by direct insertion (no ingest), shared by the practices and experts
unit tests: three threads, four people."""
from __future__ import annotations

from miner.workspace import Workspace

PEOPLE = [(1, "Ann Asker", "Kenya"), (2, "Wolf Expert", "Netherlands"), (3, "Jim Helper", None),
          (4, "Bea Bystander", None)]
# key, thread, parent, person, date, subject, text
MESSAGES = [
    ("a1", "t1", None, 1, "2020-01-01T10:00:00+00:00", "three-level model",
     "How do I fit a three-level meta-analysis model with dependent effect sizes?"),
    ("a2", "t1", "a1", 2, "2020-01-01T12:00:00+00:00", "Re: three-level model",
     "Use rma.mv with random = ~ 1 | study/es. I would recommend reading the metafor website "
     "at https://www.metafor-project.org before you start."),
    ("a3", "t1", "a2", 1, "2020-01-02T09:00:00+00:00", "Re: three-level model",
     "Thanks, that worked perfectly!"),
    ("b1", "t2", None, 4, "2020-02-01T10:00:00+00:00", "forest plot labels",
     "Is there a way to change the labels of a forest plot?"),
    ("b2", "t2", "b1", 2, "2020-02-01T11:00:00+00:00", "Re: forest plot labels",
     "Set the slab argument of forest(). In my experience, students in Kenya found this easy."),
    ("b3", "t2", "b1", 3, "2020-02-02T11:00:00+00:00", "Re: forest plot labels",
     "You could also edit the labels in the data frame first."),
    ("c1", "t3", None, 3, "2021-03-01T10:00:00+00:00", "teaching R",
     "I have taught R to first-year students for five years. I have learned that small "
     "examples work better than long lectures. The biggest challenge is installing packages."),
    ("c2", "t3", "c1", 4, "2021-03-01T12:00:00+00:00", "Re: teaching R",
     "I have learned that small examples work better than long lectures."),
]


def make_ws(path) -> Workspace:
    ws = Workspace.open(path, create=True)
    db = ws.db
    with db:
        for pid, name, country in PEOPLE:
            db.execute("INSERT INTO people(person_id, name, country, messages) VALUES (?,?,?,1)",
                       (pid, name, country))
        for key, tid, parent, pid, date, subject, text in MESSAGES:
            name = next(n for p, n, _ in PEOPLE if p == pid)
            db.execute("INSERT INTO messages(key, message_id, list, subject, from_name, date, "
                       "body, text, parent_key, thread_id, person_id) VALUES "
                       "(?,?,?,?,?,?,?,?,?,?,?)",
                       (key, key + "@x", "test", subject, name, date, text, text, parent, tid, pid))
        for tid in ("t1", "t2", "t3"):
            root = next(m for m in MESSAGES if m[1] == tid)
            db.execute("INSERT INTO threads(thread_id, root_key, list, subject, start, messages) "
                       "VALUES (?,?,?,?,?,?)", (tid, root[0], "test", root[5], root[4], 3))
    return ws
