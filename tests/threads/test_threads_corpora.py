"""Threading on real archives, scored with ../shared/tools/evalmetrics.py (marked slow)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from miner.threads import thread_messages

from ._load import load_eml_dir, load_mbox_files, to_thread_input

pytestmark = pytest.mark.slow


def _nid(s):
    return s.strip().strip("<>") if s else s


def test_r_sig_teaching_against_repaired_reference(corpora, evalmetrics):
    items = load_mbox_files((corpora / "r-sig-teaching" / "raw").glob("*.mbox"))
    tis = [to_thread_input(i, "r-sig-teaching") for i in items]
    links = thread_messages(tis)
    mid = {t.key: _nid(t.message_id) for t in tis}
    pred_root = {mid[lk.key]: lk.root_key for lk in links}
    pred_parent = {mid[lk.key]: mid[lk.parent_key] if lk.parent_key else None for lk in links}
    ref = []
    for f in sorted((corpora / "r-sig-teaching" / "processed-json" / "processed").glob("*.json")):
        for m in json.loads(f.read_text())["messages"]:
            ref.append(dict(m, message_id=_nid(m["message_id"]), in_reply_to=_nid(m["in_reply_to"]),
                            references=[_nid(r) for r in m.get("references") or []]))
    gold = evalmetrics.repair_reference(ref)
    prf = evalmetrics.pairwise_prf(pred_root, gold)
    acc = evalmetrics.parent_accuracy(pred_parent, ref)
    print(f"\nr-sig-teaching: {len(tis)} messages, {evalmetrics.group_count(pred_root)} threads; "
          f"pairwise P {prf['PAIR_P']:.2f} R {prf['PAIR_R']:.2f} F1 {prf['PAIR_F1']:.2f}; "
          f"parent accuracy {acc:.2f}")
    assert prf["PAIR_F1"] >= 99.0
    assert acc == 100.0


def test_notmuch_loop_threads_without_error(corpora):
    items = load_eml_dir(corpora / "notmuch-corpora" / "broken" / "loop")
    links = {lk.key: lk for lk in thread_messages(to_thread_input(i) for i in items)}
    assert links["loop-12"].parent_key is None and links["loop-12"].root_key == "loop-12"
    assert links["loop-21"].parent_key == "loop-12" and links["loop-21"].root_key == "loop-12"


def test_notmuch_threading_cases(corpora):
    base = corpora / "notmuch-corpora" / "threading"
    prio = {lk.key: lk for lk in thread_messages(
        to_thread_input(i) for i in load_eml_dir(base / "parent-priority"))}
    assert prio["cur/child"].parent_key == "cur/root"
    assert prio["cur/grand-child"].parent_key == "cur/child"
    assert {lk.root_key for lk in prio.values()} == {"cur/root"}

    ghost = {lk.key: lk for lk in thread_messages(
        to_thread_input(i) for i in load_eml_dir(base / "ghost-root"))}
    for k in ("child", "grand-child", "grand-child2", "great-grand-child", "fake-root"):
        assert ghost[k].root_key == "real-root", k
    assert ghost["fake-root"].parent_key == "child"  # via the missing <nonexistent-message>
    assert ghost["great-grand-child"].parent_key == "grand-child"
    # the RT auto-reply and the "Resolved" mail hang under the FYI mail (one via In-Reply-To,
    # the other via the shared missing RT-Ticket ancestor)
    fyi = "1529425589.M615261P21663.len:2,S"
    auto = "1532672447.R3166642290392477575.len:2,S"
    resolved = "1532672447.R6968667928580738175.len:2,S"
    assert ghost[auto].parent_key == fyi
    assert ghost[resolved].root_key == ghost[auto].root_key == fyi


def test_r_sig_meta_analysis_threads_with_its_reply_loop(corpora):
    items = load_mbox_files((corpora / "r-sig-meta-analysis" / "raw").glob("*.mbox"))
    tis = [to_thread_input(i, "r-sig-meta-analysis") for i in items]
    # the archive holds real loops (In-Reply-To and References orders that contradict each
    # other): count them so the test fails if the corpus changes under us
    loops = _count_cycles(tis)
    links = thread_messages(tis)
    by = {lk.key: lk for lk in links}
    for lk in links:  # parent chains are finite and stay in the thread; roots have no parent
        k, steps = lk.key, 0
        while by[k].parent_key is not None:
            k = by[k].parent_key
            steps += 1
            assert steps <= len(links)
            assert by[k].root_key == lk.root_key
        assert by[lk.root_key].parent_key is None
    threads = len({lk.root_key for lk in links})
    print(f"\nr-sig-meta-analysis: {len(tis)} messages, {threads} threads, "
          f"{loops} reference cycles in the raw headers")
    assert loops >= 1
    assert 1000 <= threads <= 1600


def _count_cycles(tis) -> int:
    """Back edges in the graph 'message -> ids it names as ancestors' (iterative DFS)."""
    from collections import defaultdict

    from miner.threads import parse_msgids

    edges = defaultdict(set)
    for t in tis:
        refs = [x for r in t.references for x in parse_msgids(r)]
        irt = parse_msgids(t.in_reply_to)
        me = parse_msgids(t.message_id)
        if me:
            edges[me[0]].update(irt[:1] + refs[-1:])
        for a, b in zip(refs, refs[1:]):
            edges[b].add(a)
    color, cycles = {}, 0
    for s in list(edges):
        if s in color:
            continue
        color[s] = 1
        stack = [(s, iter(edges[s]))]
        while stack:
            v, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                color[v] = 2
                stack.pop()
            elif color.get(nxt) == 1:
                cycles += 1
            elif nxt not in color:
                color[nxt] = 1
                stack.append((nxt, iter(edges.get(nxt, ()))))
    return cycles


def test_gen_mbox_parent_and_root(gen_mbox_tool, tmp_path):
    mbox, truth_path = tmp_path / "x.mbox", tmp_path / "x.jsonl"
    subprocess.run([sys.executable, str(gen_mbox_tool), "--n", "20000", "--out", str(mbox),
                    "--truth", str(truth_path)], check=True, capture_output=True)
    items = load_mbox_files([mbox])
    truth = [json.loads(line) for line in truth_path.read_text().splitlines()]
    assert len(items) == len(truth)
    tis = [to_thread_input(i, "devel") for i in items]
    links = thread_messages(tis)
    # the true Message-ID of each message (a root without its header is known by "thread")
    true_mid = [t["mid"] or (t["thread"] if t["parent"] is None else None) for t in truth]
    pos = {t.key: k for k, t in enumerate(tis)}
    ok_parent = ok_root = 0
    for lk, t in zip(links, truth):
        p = true_mid[pos[lk.parent_key]] if lk.parent_key else None
        ok_parent += p == t["parent"]
        ok_root += true_mid[pos[lk.root_key]] == t["thread"]
    pa, ra = 100 * ok_parent / len(truth), 100 * ok_root / len(truth)
    print(f"\ngen_mbox 20000: parent {pa:.2f} %, thread root {ra:.2f} %")
    assert pa >= 99.0 and ra >= 99.0
