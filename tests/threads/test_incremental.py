"""Incremental post-ingest (miner/ingest/post.py) gives the corpus a full rebuild gives.

Threads: every message's parent and thread equal those of one :func:`thread_messages` call
over every stored message (the former full rebuild), whether the archive was ingested at once,
in small post-phase batches, or source by source. People: the same partition of aliases with
the same display name, address and message count. Quote links: the same.
"""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from miner import Workspace
from miner.ingest import post, post_oneshot
from miner.ingest.quotes import link_quotes
from miner.threads import thread_messages
from miner.types import ThreadInput

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "corpora" / "demo" / "gov-cop.mbox"
DATA = ROOT / "tests" / "data" / "ingest"


def _reference(conn, days: int = 30) -> dict[str, tuple[str | None, str]]:
    """key -> (parent key, thread id) of a one-shot threading of every stored message."""
    items = [ThreadInput(key=k, message_id=m if not m.startswith("sha1:") else None,
                         in_reply_to=irt, references=tuple((refs or "").split()),
                         subject=s or "", date=datetime.fromisoformat(d) if d else None, list=lst)
             for k, m, irt, refs, s, d, lst in conn.execute(
                 "SELECT key, message_id, in_reply_to, refs, subject, date, list FROM messages "
                 "ORDER BY id")]
    return {ln.key: (ln.parent_key, post.thread_id_for(ln.root_key))
            for ln in thread_messages(items, subject_window_days=days)}


def _state(ws) -> dict:
    db = ws.db
    threads = {k: (p, t) for k, p, t in db.execute("SELECT key, parent_key, thread_id FROM messages")}
    people = {}
    for pid, name, email, n in db.execute("SELECT person_id, name, email, messages FROM people"):
        aliases = frozenset(tuple(r) for r in db.execute("SELECT name, email, list FROM aliases WHERE person_id=?",
                                       (pid,)).fetchall())
        people[aliases] = (name, email, n)
    by_pid = {pid: aliases for aliases, _ in people.items()
              for (pid,) in db.execute("SELECT DISTINCT person_id FROM aliases WHERE "
                                       "name=? AND email=? AND list=?", next(iter(aliases)))}
    assert len(by_pid) == len(people)
    authors = {k: by_pid[p] for k, p in db.execute("SELECT key, person_id FROM messages")}
    trows = {r[0]: r[1:] for r in db.execute(
        "SELECT thread_id, root_key, list, subject, start, \"end\", messages, participants "
        "FROM threads")}
    quotes = dict(db.execute("SELECT key, quotes_key FROM messages"))
    return {"threads": threads, "people": people, "authors": authors, "trows": trows,
            "quotes": quotes}


def _lookup_tables(db) -> tuple:
    """The incremental lookup tables (migration 010), by message key."""
    return (set(db.execute("SELECT i.h, m.key FROM thread_idx_ids i JOIN messages m ON m.id=i.msg")),
            set(db.execute("SELECT i.h, i.ts, m.key FROM thread_idx_subj i JOIN messages m "
                           "ON m.id=i.msg")),
            set(db.execute("SELECT i.h, i.ts, m.key FROM thread_idx_look i JOIN messages m "
                           "ON m.id=i.msg")))


def _split_mbox(path: Path, parts: int, out: Path) -> list[str]:
    """Cut an mbox into ``parts`` files at "From " separators (in order)."""
    data = path.read_bytes()
    starts = [0] + [i + 1 for i in range(len(data) - 6) if data[i:i + 6] == b"\nFrom "]
    step = max(1, len(starts) // parts)
    cuts = starts[::step][:parts] + [len(data)]
    files = []
    for j in range(len(cuts) - 1):
        # same file and folder name: the format and list name may come from them
        f = out / f"{j:02d}" / path.parent.name / path.name
        f.parent.mkdir(parents=True)
        f.write_bytes(data[cuts[j]:cuts[j + 1]])
        files.append(str(f))
    return files


def _check(tmp_path: Path, mbox: Path, parts: int, monkeypatch) -> dict:
    """One ingest (the one-shot path, one batch), one ingest threaded incrementally in batches
    of 7, one ingest one-shot in batches of 7 components' worth, and the archive ingested part
    by part (one-shot for the first parts, incremental once most messages are threaded; and
    one-shot in one batch every time, re-threading what is threaded already) all give the
    same corpus."""
    one = Workspace.open(tmp_path / "one", create=True)
    one.ingest([str(mbox)])
    want = _state(one)
    assert want["threads"] == _reference(one.db)
    monkeypatch.setattr(post, "BATCH", 7)  # many post-phase batches over one ingest
    monkeypatch.setattr(post, "ONE_SHOT_SHARE", 2.0)  # never: the incremental path only
    small = Workspace.open(tmp_path / "small", create=True)
    small.ingest([str(mbox)])
    assert _state(small) == want
    monkeypatch.setattr(post, "ONE_SHOT_SHARE", 0.5)
    small1 = Workspace.open(tmp_path / "small1", create=True)
    small1.ingest([str(mbox)])
    assert _state(small1) == want
    # the one-shot path with its batches threaded in two worker processes
    monkeypatch.setenv("MINER_INGEST_WORKERS", "2")
    monkeypatch.setattr(post_oneshot, "_MIN_PARALLEL", 0)
    monkeypatch.setattr(post_oneshot, "_MIN_PACK", 1)
    written = []
    write = post_oneshot._write  # called only with what the workers planned
    monkeypatch.setattr(post_oneshot, "_write", lambda c, p: written.append(p) or write(c, p))
    pooled = Workspace.open(tmp_path / "pooled", create=True)
    pooled.ingest([str(mbox)])
    assert _state(pooled) == want
    assert written  # the batches were planned in the workers
    monkeypatch.delenv("MINER_INGEST_WORKERS")
    monkeypatch.setattr(post_oneshot, "_write", write)
    assert _lookup_tables(pooled.db) == _lookup_tables(one.db)
    pooled.close()
    # what later incremental runs read is the same whichever path wrote it
    assert _lookup_tables(small1.db) == _lookup_tables(small.db) == _lookup_tables(one.db)
    (tmp_path / "parts").mkdir()
    files = _split_mbox(mbox, parts, tmp_path / "parts")
    workspaces = [one, small, small1]
    states = []
    # share 0.0: the one-shot path every time, in one batch
    for name, share, size in (("inc", 0.5, 7), ("inc1", 0.0, 20_000)):
        monkeypatch.setattr(post, "ONE_SHOT_SHARE", share)
        monkeypatch.setattr(post, "BATCH", size)
        inc = Workspace.open(tmp_path / name, create=True)
        for f in files:
            inc.ingest([f])
            assert _state(inc)["threads"] == _reference(inc.db)
        workspaces.append(inc)
        states.append(_state(inc))
    got = states[0]
    assert states[1] == got
    # the quote links of each workspace are those a full re-link gives (across workspaces they
    # may differ: footer learning cleans a message differently when it sees fewer messages)
    for ws, st in ((one, want), (workspaces[3], got)):
        link_quotes(ws.db, only_new=False)
        assert dict(ws.db.execute("SELECT key, quotes_key FROM messages")) == st.pop("quotes")
    states[1].pop("quotes")
    assert got == want
    for ws in workspaces:
        ws.close()
    return want


def test_demo_corpus_incremental_equals_one_shot(tmp_path, monkeypatch):
    want = _check(tmp_path, DEMO, 6, monkeypatch)
    assert len({t for _, t in want["threads"].values()}) > 10


def test_the_post_phase_links_quotes(tmp_path):
    ws = Workspace.open(tmp_path / "ws", create=True)
    ws.ingest([str(DEMO)])
    n = ws.db.execute("SELECT count(*) FROM messages WHERE quotes_key != ''").fetchone()[0]
    assert n > 0
    assert ws.db.execute("SELECT count(*) FROM messages WHERE quoted_text != '' "
                         "AND quotes_key IS NULL").fetchone()[0] == 0
    ws.close()


def test_pipermail_fixture_incremental_equals_one_shot(tmp_path, monkeypatch):
    _check(tmp_path, DATA / "2007-March.txt", 3, monkeypatch)


def test_gen_mbox_incremental_equals_one_shot(tmp_path, monkeypatch, gen_mbox_tool):
    mbox = tmp_path / "g.mbox"
    subprocess.run([sys.executable, str(gen_mbox_tool), "--n", "1500", "--seed", "7",
                    "--out", str(mbox), "--truth", str(tmp_path / "g.jsonl")], check=True,
                   stdout=subprocess.DEVNULL)
    want = _check(tmp_path, mbox, 5, monkeypatch)
    assert len(want["people"]) > 20


def test_a_subject_recurring_for_years_is_left_to_the_incremental_path(tmp_path, monkeypatch,
                                                                        caplog):
    """One subject key asked again and again over years joins most of a list into one
    component; above MAX_COMPONENT batches the one-shot path leaves it to the incremental path,
    and the corpus is the one a single batch gives."""
    import logging
    from datetime import timedelta

    start = datetime(2015, 1, 5, 9, 0)
    msgs = []
    for i in range(70):  # "Help" every 3 weeks: subject joining within 30 days, chains apart
        d = start + timedelta(days=21 * i, hours=i % 5)
        irt = f"In-Reply-To: <help{i - 1}@x.org>\n" if i % 3 == 2 else ""
        subj = "Re: Help" if i % 2 else "Help"
        msgs.append(f"From u{i % 9}@x.org {d:%a %b %d %H:%M:%S %Y}\nFrom: U{i % 9} <u{i % 9}@x.org>\n"
                    f"Subject: {subj}\nDate: {d:%a, %d %b %Y %H:%M:%S} +0000\n"
                    f"Message-ID: <help{i}@x.org>\n{irt}\nQuestion or answer number {i}.\n\n")
    for i in range(20):  # other threads between them
        d = start + timedelta(days=30 * i + 3)
        msgs.append(f"From v@x.org {d:%a %b %d %H:%M:%S %Y}\nFrom: V <v@x.org>\n"
                    f"Subject: Topic {i // 2}\nDate: {d:%a, %d %b %Y %H:%M:%S} +0000\n"
                    f"Message-ID: <t{i}@x.org>\n\nAbout topic {i // 2}.\n\n")
    mbox = tmp_path / "help.mbox"
    mbox.write_text("".join(msgs))
    with caplog.at_level(logging.INFO, logger="miner.ingest.post_oneshot"):
        want = _check(tmp_path, mbox, 3, monkeypatch)
    assert "left to the incremental path" in caplog.text  # the fallback did run
    assert len({t for _, t in want["threads"].values()}) > 10


def test_undated_messages_take_the_same_dates_on_every_path(tmp_path, monkeypatch):
    """Undated messages before the first dated one and between dated ones: every path (and
    the workers' id ranges, joined by the writer) gives them the dates one pass in id order
    gives."""
    msgs = []
    for i in range(60):
        dated = i >= 7 and i % 5 != 0
        date = f"Date: Mon, {1 + i % 28} Mar 2021 10:{i % 60:02d}:00 +0000\n" if dated else ""
        irt = f"In-Reply-To: <u{i - 2}@x.org>\n" if i % 4 == 3 else ""
        subj = ("Re: " if i % 3 else "") + f"Topic {i % 6}" if i % 7 else ""
        msgs.append(f"From u@x.org 10:00 2021\nFrom: U{i % 4} <u{i % 4}@x.org>\n"
                    f"Subject: {subj}\n{date}Message-ID: <u{i}@x.org>\n{irt}\nText {i}.\n\n")
    mbox = tmp_path / "undated.mbox"
    mbox.write_text("".join(msgs))
    want = _check(tmp_path, mbox, 3, monkeypatch)
    assert len({t for _, t in want["threads"].values()}) > 5
    one = Workspace.open(tmp_path / "one")
    assert one.db.execute("SELECT sum(date IS NULL) FROM messages").fetchone()[0] == 17
    one.close()


def test_a_late_parent_adopts_its_replies_and_old_threads_stay_put(tmp_path):
    """The parent arrives after its replies: the replies move under it, nothing else moves."""
    def msg(mid, subject, date, irt=None):
        head = f"From x@example.org Mon Mar  2 10:00:00 2020\nFrom: A B <a{mid}@example.org>\nSubject: {subject}\n"
        head += f"Date: {date}\nMessage-ID: <{mid}@x>\n"
        if irt:
            head += f"In-Reply-To: <{irt}@x>\nReferences: <{irt}@x>\n"
        return head + f"\nbody of {mid}\n\n"
    d = "Mon, 2 Mar 2020 10:00:00 +0000"
    (tmp_path / "1.mbox").write_text(msg("other", "Elsewhere", d) + msg("r1", "Re: Topic", d, "p")
                                     + msg("r2", "Re: Topic", d, "r1"))
    (tmp_path / "2.mbox").write_text(msg("p", "Topic", "Sun, 1 Mar 2020 10:00:00 +0000"))
    ws = Workspace.open(tmp_path / "ws", create=True)
    ws.ingest([str(tmp_path / "1.mbox")])
    before = dict(ws.db.execute("SELECT key, thread_id FROM messages"))
    ws.ingest([str(tmp_path / "2.mbox")])
    rows = {k: (p, t) for k, p, t in ws.db.execute("SELECT key, parent_key, thread_id FROM messages")}
    assert rows["r1@x"] == ("p@x", post.thread_id_for("p@x"))
    assert rows["r2@x"][1] == rows["p@x"][1] != rows["other@x"][1]
    assert rows["other@x"][1] == before["other@x"]
    assert rows == _reference(ws.db)
    assert ws.db.execute("SELECT count(*) FROM threads").fetchone()[0] == 2
    ws.close()


@pytest.mark.slow
def test_real_list_incremental_equals_one_shot(tmp_path, monkeypatch, corpora):
    """r-sig-teaching, quarter by quarter, against the whole list at once."""
    raw = sorted((corpora / "r-sig-teaching" / "raw").glob("*.mbox"))
    whole = tmp_path / "all.mbox"
    whole.write_bytes(b"".join(p.read_bytes() for p in raw))
    _check(tmp_path, whole, 12, monkeypatch)


_KILL_CHILD = r"""
import os, signal, sys
from miner import Workspace
from miner.ingest import post, post_oneshot
post.BATCH = 7  # the one-shot path in many batches (transactions)
if sys.argv[4] == "pool":  # planned in two worker processes, written here
    os.environ["MINER_INGEST_WORKERS"] = "2"
    post_oneshot._MIN_PARALLEL = 0
    post_oneshot._MIN_PACK = 1
calls = [0]
apply = post_oneshot.write_plan
def apply_then_die(*a, **k):
    n = apply(*a, **k)
    calls[0] += 1
    if calls[0] == int(sys.argv[3]):  # inside a batch's transaction, after some committed
        os.kill(os.getpid(), signal.SIGKILL)
    return n
post_oneshot.write_plan = apply_then_die
Workspace.open(sys.argv[1], create=True).ingest([sys.argv[2]])
"""


@pytest.mark.parametrize("mode", ["serial", "pool"])
@pytest.mark.parametrize("die_at", [1, 4])
def test_sigkill_inside_the_one_shot_path_then_rerun_gives_the_same_corpus(tmp_path, die_at,
                                                                           mode):
    """Killed in the middle of the one-shot path (some batches committed, one half-written;
    batches planned in this process or in worker processes), the next ingest threads the rest (incrementally or one-shot) and gives the same corpus."""
    ref = Workspace.open(tmp_path / "ref", create=True)
    ref.ingest([str(DEMO)])
    want = _state(ref)
    ws = tmp_path / "ws"
    # the worker processes die with the writer: else the pipes stay open and this waits
    p = subprocess.run([sys.executable, "-c", _KILL_CHILD, str(ws), str(DEMO), str(die_at), mode],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert p.returncode == -9, p.stderr[-2000:]
    again = Workspace.open(ws)
    left = again.db.execute("SELECT count(*) FROM messages WHERE thread_id IS NULL").fetchone()[0]
    n = len(want["threads"])
    assert 0 < left <= n and (die_at == 1 or left < n)  # batches before the kill committed
    again.ingest([str(DEMO)])
    assert _state(again) == want
    assert _lookup_tables(again.db) == _lookup_tables(ref.db)
    for w in (ref, again):
        w.close()


@pytest.mark.parametrize("pool", [False, True])
def test_a_first_ingest_rewrites_each_message_row_once(tmp_path, monkeypatch, pool):
    """The post phase of a first ingest writes a message's person, parent, thread and quote
    link in one UPDATE (a row is rewritten whole), and gives what the two-step path gives."""
    if pool:
        monkeypatch.setenv("MINER_INGEST_WORKERS", "2")
        monkeypatch.setattr(post_oneshot, "_MIN_PARALLEL", 0)
        monkeypatch.setattr(post_oneshot, "_MIN_PACK", 1)
    people = post.rebuild_people

    def counting(conn, config):
        conn.execute("CREATE TEMP TABLE upd(id INTEGER)")
        conn.execute("CREATE TEMP TRIGGER upd_t AFTER UPDATE ON main.messages BEGIN "
                     "INSERT INTO upd VALUES (new.id); END")
        return people(conn, config)

    monkeypatch.setattr(post, "rebuild_people", counting)
    ws = Workspace.open(tmp_path / "ws", create=True)
    ws.ingest([str(DEMO)])
    n = ws.db.execute("SELECT count(*) FROM messages").fetchone()[0]
    assert tuple(ws.db.execute("SELECT count(*), count(DISTINCT id) FROM upd").fetchone()) \
        == (n, n)
    assert ws.db.execute("SELECT count(*) FROM messages WHERE person_id IS NULL").fetchone()[0] == 0
    assert not ws.db.execute("SELECT 1 FROM settings WHERE name=?", (post.PENDING,)).fetchone()
    got = _state(ws)
    monkeypatch.setattr(post, "rebuild_people", people)
    monkeypatch.setattr(post, "_one_shot_due", lambda conn: False)  # people first, then threads
    two = Workspace.open(tmp_path / "two", create=True)
    two.ingest([str(DEMO)])
    assert _state(two) == got
    q = "SELECT person_id, title, organisation, country, evidence_key FROM people ORDER BY 1"
    assert [tuple(r) for r in ws.db.execute(q)] == [tuple(r) for r in two.db.execute(q)]
    ws.close()
    two.close()


def test_the_workers_run_under_a_script_without_a_main_guard(tmp_path):
    """A plain script calling ingest at its top level (as the README's Python API example):
    the post phase's worker processes must not run the script again."""
    script = tmp_path / "plain.py"
    script.write_text(
        "import os\n"
        "from miner import Workspace\n"
        "from miner.ingest import post_oneshot\n"
        "os.environ['MINER_INGEST_WORKERS'] = '2'\n"
        "post_oneshot._MIN_PARALLEL = 0\n"
        "post_oneshot._MIN_PACK = 1\n"
        "written = []\n"
        "write = post_oneshot._write\n"
        "post_oneshot._write = lambda c, p: written.append(1) or write(c, p)\n"
        f"ws = Workspace.open({str(tmp_path / 'ws')!r}, create=True)\n"
        f"r = ws.ingest([{str(DEMO)!r}])\n"
        "print(r.threads, len(written))\n")
    p = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                       cwd=tmp_path, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    threads, written = map(int, p.stdout.split())
    assert threads > 10 and written > 1
