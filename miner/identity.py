"""The people of a workspace: list them with their aliases, and let a user force or undo
merges. Merges are recorded in ``merges`` (forced=1 merge, forced=-1 never merge) and
survive every later ingest, since people are re-resolved from the aliases each time.
"""
from __future__ import annotations

from miner.errors import NotFoundError
from miner.types import Person


def list_people(conn, *, limit: int = 0, query: str | None = None) -> list[Person]:
    sql = "SELECT person_id, name, email, organisation, title, country, messages FROM people"
    args: list = []
    if query:
        sql += " WHERE name LIKE ? OR email LIKE ?"
        args += [f"%{query}%", f"%{query}%"]
    sql += " ORDER BY messages DESC, name"
    if limit:
        sql += f" LIMIT {int(limit)}"
    out = []
    for pid, name, email, org, title, country, n in conn.execute(sql, args).fetchall():
        al = conn.execute("SELECT name, email FROM aliases WHERE person_id=? ORDER BY messages DESC",
                          (pid,)).fetchall()
        out.append(Person(
            person_id=pid, name=name, emails=tuple(dict.fromkeys(a[1] for a in al if a[1])),
            names=tuple(dict.fromkeys(a[0] for a in al if a[0])), organisation=org, title=title,
            country=country, messages=n,
        ))
    return out


def _alias_keys(conn, person_id: int) -> list[str]:
    keys = [str(r[0]) for r in conn.execute("SELECT rowid FROM aliases WHERE person_id=?",
                                            (person_id,))]
    if not keys:
        raise NotFoundError(f"no person {person_id} in this workspace; 'miner people' lists them")
    return keys


def merge_people(ws, a: int, b: int) -> int:
    """Force persons ``a`` and ``b`` to be one; returns the number of people afterwards."""
    from miner.ingest.post import rebuild_people, rebuild_threads

    ka, kb = _alias_keys(ws.db, a), _alias_keys(ws.db, b)
    with ws.db:
        ws.db.execute("DELETE FROM merges WHERE forced=-1 AND ((a=? AND b=?) OR (a=? AND b=?))",
                      (ka[0], kb[0], kb[0], ka[0]))
        ws.db.execute("INSERT INTO merges(a, b, reason, forced) VALUES (?,?,?,1)",
                      (ka[0], kb[0], "forced by user"))
    n = rebuild_people(ws.db, ws.config)
    rebuild_threads(ws.db, ws.config)
    return n


def split_person(ws, person_id: int, emails: list[str] | None = None) -> int:
    """Detach the aliases with ``emails`` (default: every alias) from person ``person_id``."""
    from miner.ingest.post import rebuild_people, rebuild_threads

    conn = ws.db
    rows = conn.execute("SELECT rowid, email FROM aliases WHERE person_id=?", (person_id,)).fetchall()
    if not rows:
        raise NotFoundError(f"no person {person_id} in this workspace; 'miner people' lists them")
    if emails:
        wanted = {e.lower() for e in emails}
        detach = [str(r[0]) for r in rows if r[1].lower() in wanted]
        if not detach:
            known = ", ".join(sorted({r[1] for r in rows}))
            raise NotFoundError(f"person {person_id} has no address {', '.join(emails)}; "
                                f"their addresses are: {known}")
    else:
        detach = [str(r[0]) for r in rows]
    keep = [str(r[0]) for r in rows if str(r[0]) not in detach] or []
    pairs = [(d, k) for d in detach for k in keep]
    if not keep:
        pairs = [(x, y) for i, x in enumerate(detach) for y in detach[i + 1:]]
    with conn:
        for x, y in pairs:
            conn.execute("DELETE FROM merges WHERE forced=1 AND ((a=? AND b=?) OR (a=? AND b=?))",
                         (x, y, y, x))
            conn.execute("INSERT INTO merges(a, b, reason, forced) VALUES (?,?,?,-1)",
                         (x, y, "split by user"))
    n = rebuild_people(conn, ws.config)
    rebuild_threads(conn, ws.config)
    return n


def merge_log(conn, person_id: int) -> list[tuple[str, str, str]]:
    """Why the aliases of a person were merged: (alias, alias, reason) rows."""
    keys = set(_alias_keys(conn, person_id))
    label = {str(r[0]): f"{r[1]} <{r[2]}>" for r in conn.execute(
        "SELECT rowid, name, email FROM aliases WHERE person_id=?", (person_id,))}
    return [(label.get(a, a), label.get(b, b), reason) for a, b, reason in conn.execute(
        "SELECT a, b, reason FROM merges WHERE forced >= 0") if a in keys and b in keys]
