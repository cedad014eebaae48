"""Identity resolution on r-sig-meta-analysis and open-iscsi (marked slow)."""
from __future__ import annotations

import re
from collections import Counter, defaultdict

import pytest

from miner.people import address_fingerprint, display_name, is_scrambled, resolve_people
from miner.types import Sender


def _import_loader():
    # tests/ is not a package (pytest runs with --import-mode=importlib): load the shared
    # stdlib helper from tests/threads/_load.py by path
    import importlib.util
    import sys
    from pathlib import Path

    name = "_miner_tests_threads_load"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, Path(__file__).resolve().parent.parent / "threads" / "_load.py")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return sys.modules[name]


load_mbox_files = _import_loader().load_mbox_files
to_sender = _import_loader().to_sender

pytestmark = pytest.mark.slow

LIST = "r-sig-meta-analysis"
LIST_ADDR = "r-sig-meta-analysis@r-project.org"
# Outlook's quoted header of a DMARC-rewritten post: "... on behalf of NAME via R-sig-meta-analysis"
_VIA_QUOTED = re.compile(r"on behalf of (.+?) via R-sig-meta-analysis", re.IGNORECASE)


@pytest.fixture(scope="module")
def meta(corpora):
    items = load_mbox_files((corpora / LIST / "raw").glob("*.mbox"))
    rows = Counter((s.name, s.email) for s in (to_sender(i, LIST) for i in items))
    senders = [Sender(f"s{k}", n, e, LIST, c) for k, ((n, e), c) in enumerate(rows.items())]
    return items, senders


def test_obfuscated_forms_resolve_to_one_person(meta):
    _, senders = meta
    people, merges = resolve_people(senders)
    groups = defaultdict(list)
    for s in senders:
        groups[people[s.key]].append(s)
    # every fingerprint shared by a scrambled form and any other form is one person
    by_fp = defaultdict(list)
    for s in senders:
        by_fp[address_fingerprint(s.email)].append(s)
    multi = [g for fp, g in by_fp.items()
             if fp and len({s.email for s in g}) > 1 and any(is_scrambled(s.email) for s in g)]
    split = [g for g in multi if len({people[s.key] for s in g}) > 1]
    print(f"\nr-sig-meta-analysis: {len(senders)} sender forms -> {len(groups)} people; "
          f"{len(multi)} addresses written in several obfuscated forms, {len(split)} split; "
          f"merges by reason {dict(Counter(m.reason for m in merges))}")
    top = sorted(groups.values(), key=lambda g: -sum(s.messages for s in g))[:5]
    for g in top:
        names = [s.name for s in g for _ in range(s.messages)]
        print(f"  {display_name(names):24s} {sum(s.messages for s in g):5d} messages, "
              f"{len({s.email for s in g})} address forms, {len({s.name for s in g})} name forms")
    assert not split
    assert len(multi) >= 10
    # the three experts named in the corpus README, each under several address forms
    for who, forms in (("Viechtbauer", 3), ("Pustejovsky", 3), ("Dewey", 3)):
        ps = {people[s.key] for s in senders if who in s.name}
        assert len(ps) == 1, who
        assert len({s.email for s in senders if people[s.key] in ps}) >= forms, who
    assert [display_name([s.name for s in g]) for g in top[:3]] == [
        "Wolfgang Viechtbauer", "James Pustejovsky", "Michael Dewey"]


def test_dmarc_rewritten_names_stay_distinct(meta):
    items, senders = meta
    # the archive's own From lines predate DMARC munging; the rewritten form survives in
    # quoted Outlook headers ("... on behalf of NAME via R-sig-meta-analysis <list addr>")
    via = Counter()
    for it in items:
        payload = it.msg.get_payload(decode=True) if not it.msg.is_multipart() else b""
        for m in _VIA_QUOTED.finditer((payload or b"").decode("latin-1")):
            name = " ".join(m[1].split())
            if 0 < len(name) < 60:
                via[name] += 1
    rewritten = [Sender(f"v{k}", f"{n} via R-sig-meta-analysis", LIST_ADDR, LIST, c)
                 for k, (n, c) in enumerate(via.items())]
    people, merges = resolve_people(senders + rewritten)
    specific = [s for s in rewritten if len(s.name.split()) >= 4]  # "First Last via List"
    print(f"\nDMARC-rewritten names found in quoted headers: {sorted(via)}")
    assert len(specific) >= 2
    assert len({people[s.key] for s in rewritten}) == len({s.name.casefold() for s in rewritten})
    # and each rewritten name joins the author's own person when that author posts directly
    pus = {people[s.key] for s in senders if s.name == "James Pustejovsky"}
    via_pus = [s for s in rewritten if s.name.startswith("James Pustejovsky via")]
    assert via_pus and {people[s.key] for s in via_pus} == pus
    assert any(m.reason == "dmarc rewrite" for m in merges)


def test_open_iscsi_google_groups_rewrites(corpora):
    items = load_mbox_files((corpora / "open-iscsi-googlegroups").glob("*.mbox"))
    rows = Counter((s.name, s.email) for s in (to_sender(i, "open-iscsi") for i in items))
    senders = [Sender(f"s{k}", n, e, "open-iscsi", c) for k, ((n, e), c) in enumerate(rows.items())]
    people, _ = resolve_people(senders)
    rewritten = [s for s in senders if " via open-iscsi" in s.name]
    names = {s.name.split(" via ")[0].strip("'\" ").casefold() for s in rewritten}
    print(f"\nopen-iscsi: {len(rewritten)} rewritten sender forms, {len(names)} distinct names")
    assert len(names) >= 2
    assert len({people[s.key] for s in rewritten}) == len(names)
