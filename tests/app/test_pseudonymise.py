"""Pseudonymisation: every name and address of the workspace is replaced, consistently, in the
message export (CSV and mbox); nothing of an original address survives."""
from __future__ import annotations

import io
import re

import pytest

from miner.pseudonymise import Pseudonymiser, pseudonymised_rows, write_pseudonymised_mbox
from tests.app.conftest import DEMO_MBOX


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    from miner.workspace import Workspace

    ws = Workspace.open(tmp_path_factory.mktemp("pseudo") / "ws", create=True)
    ws.ingest([str(DEMO_MBOX)])
    yield ws
    ws.close()


def _originals(conn):
    emails = {r[0].lower() for r in conn.execute("SELECT email FROM aliases WHERE email != ''")}
    names = {r[0] for r in conn.execute("SELECT name FROM aliases WHERE name != ''")
             if "@" not in r[0] and len(r[0].split()) >= 2}
    return emails, names


def test_consistent_mapping(ws):
    p = Pseudonymiser(ws.db)
    # one human, two identities (corpora/demo/README.md): one pseudonym
    assert p.name("Ana María López") == p.name("Ana Maria Lopez") != "Ana Maria Lopez"
    assert p.email("ana.lopez@registro-electoral.example.org") == \
        p.email("anamarialopez@mail.example.net")
    assert p.name("Kwame A. Mensah") == p.name("Kwame Mensah")
    assert p.name("Helena Brandt") != p.name("Kwame Mensah")
    assert re.fullmatch(r"Person \d+", p.name("Helena Brandt"))
    assert p.email("HELENA.BRANDT@gpn.example.org".lower()) == p.email(
        "helena.brandt@gpn.example.org")
    # free text: names (with or without accents), first names, addresses, web-archive addresses
    t = p.text("Thanks Ana Maria Lopez and Kwame! Write to kwame.mensah@ec-gh.example.org or "
               "kwame.mensah at ec-gh.example.org.")
    assert "Lopez" not in t and "Kwame" not in t and "@ec-gh" not in t and " at ec-gh" not in t
    assert p.name("Kwame Mensah") in t and p.email("kwame.mensah@ec-gh.example.org") in t
    # an address of nobody known still goes, consistently
    assert p.text("x@unknown.example.com") == p.text("x@unknown.example.com") != \
        "x@unknown.example.com"


def test_csv_export_has_no_original_address_or_name(ws):
    from miner.export.messages import write_csv

    buf = io.StringIO()
    n = write_csv(pseudonymised_rows(ws.db), buf)
    out = buf.getvalue()
    assert n == 173
    emails, names = _originals(ws.db)
    assert len(emails) >= 30 and len(names) >= 30
    leaked = [e for e in emails if e in out.lower()]
    assert not leaked, leaked[:5]
    leaked = [x for x in names if x in out]
    assert not leaked, leaked[:5]
    assert "person" in out and "@example.invalid" in out


def test_mbox_export_has_no_original_address(ws):
    buf = io.BytesIO()
    n = write_pseudonymised_mbox(ws.db, buf)
    out = buf.getvalue().decode("utf-8", "replace").lower()
    assert n == 173
    emails, _ = _originals(ws.db)
    leaked = [e for e in emails if e in out]
    assert not leaked, leaked[:5]
    # the same person gets the same address in every message they wrote
    froms = re.findall(r"^from: (.*)$", out, re.M)
    by_addr: dict[str, set[str]] = {}
    for f in froms:
        m = re.search(r"<([^>]+)>", f)
        if m:
            by_addr.setdefault(m.group(1), set()).add(f)
    assert by_addr and all(len(v) == 1 for v in by_addr.values())


def test_app_downloads(ws):
    """The app's download builders: the search-results mbox with and without the switch."""
    from app_pages.exports import mbox_of, pseudonymised_csv

    mids = [r[0] for r in ws.db.execute("SELECT message_id FROM messages LIMIT 5")]
    plain = mbox_of(ws, None, mids).decode("utf-8", "replace")
    assert plain.count("\nFrom ") + plain.startswith("From ") == 5
    p = Pseudonymiser(ws.db)
    hidden = mbox_of(ws, p, mids).decode("utf-8", "replace").lower()
    emails, _ = _originals(ws.db)
    assert any(e in plain.lower() for e in emails)
    assert not any(e in hidden for e in emails)
    assert not any(e in pseudonymised_csv(ws).decode().lower() for e in emails)
