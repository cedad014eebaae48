"""The ingest fast paths give the same corpus as the plain ones.

- Full text is indexed in bulk once per stored batch (migration 009), not by the per-row
  trigger: the index must hold exactly the stored rows, and other writers still get the trigger.
- The post phase (threads, people) is skipped when a run adds nothing, but not when an earlier
  run was interrupted before it.
"""
from __future__ import annotations

import mailbox
from pathlib import Path

from miner import Workspace
from miner.ingest import post


def _mbox(path: Path, n: int) -> Path:
    box = mailbox.mbox(str(path))
    for i in range(n):
        parent = f"\nIn-Reply-To: <m{i - 1}@example.org>" if i % 3 else ""
        box.add(
            f"From: Ann {i % 4} <ann{i % 4}@example.org>\nSubject: Re: water pricing {i // 3}\n"
            f"Date: Mon, {1 + i % 27} Jan 2024 10:00:00 +0000\nMessage-ID: <m{i}@example.org>"
            f"{parent}\n\nHello,\n\nword{i} tariff{i} reply.\n\nOn Sun, Ann wrote:\n> old text\n"
            .encode()
        )
    box.flush()
    box.close()
    return path


def _fts_rows(conn) -> list[tuple]:
    return sorted(tuple(r) for r in conn.execute(
        "SELECT rowid, subject, text FROM messages_fts"))


def _msg_rows(conn) -> list[tuple]:
    return sorted(tuple(r) for r in conn.execute("SELECT id, subject, text FROM messages"))


def test_bulk_fts_holds_exactly_the_stored_rows(tmp_path):
    ws = Workspace.open(tmp_path / "ws", create=True)
    r = ws.ingest([str(_mbox(tmp_path / "a.mbox", 1200))])  # more than one batch
    assert r.added == 1200
    assert _fts_rows(ws.db) == _msg_rows(ws.db)
    hits = ws.db.execute("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'tariff777'"
                         ).fetchall()
    assert len(hits) == 1
    assert ws.db.execute("SELECT count(*) FROM fts_deferred").fetchone()[0] == 0


def test_other_writers_still_get_the_per_row_trigger(tmp_path):
    ws = Workspace.open(tmp_path / "ws", create=True)
    ws.db.execute("INSERT INTO messages(key, message_id, subject, text) "
                  "VALUES ('k1', 'k1', 'direct insert', 'zebrafish')")
    ws.db.commit()
    assert ws.db.execute("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'zebrafish'"
                         ).fetchone()[0] == 1


def test_rerun_skips_post_phase_but_keeps_counts(tmp_path, monkeypatch):
    mbox = str(_mbox(tmp_path / "a.mbox", 60))
    ws = Workspace.open(tmp_path / "ws", create=True)
    first = ws.ingest([mbox])
    calls = []
    monkeypatch.setattr(post, "rebuild_threads", lambda *a: calls.append("t") or 0)
    monkeypatch.setattr(post, "rebuild_people", lambda *a: calls.append("p") or 0)
    again = ws.ingest([mbox])
    assert again.added == 0 and calls == []
    assert (again.threads, again.people) == (first.threads, first.people) and first.threads > 0


def test_interrupted_post_phase_is_redone_by_a_rerun(tmp_path):
    mbox = str(_mbox(tmp_path / "a.mbox", 60))
    ws = Workspace.open(tmp_path / "ws", create=True)
    ws.ingest([mbox])
    want = sorted(tuple(r) for r in ws.db.execute(
        "SELECT key, parent_key, thread_id, person_id FROM messages"))
    # as if killed after storing and before threads/people were written
    ws.db.execute("UPDATE messages SET thread_id = NULL, person_id = NULL, parent_key = NULL")
    ws.db.execute("DELETE FROM threads")
    ws.db.commit()
    again = ws.ingest([mbox])
    assert again.added == 0 and again.threads > 0
    got = sorted(tuple(r) for r in ws.db.execute(
        "SELECT key, parent_key, thread_id, person_id FROM messages"))
    assert got == want


def test_quick_key_equals_the_decoded_key(tmp_path, gen_mbox_tool):
    """Already-stored messages are recognised from the header alone: that key must be the
    one the full decoder gives, for every kind of message gen_mbox makes (damaged ones too)."""
    import subprocess
    import sys

    from miner.ingest import read_sources
    from miner.ingest.mime import ParseFailure, parse_bytes
    from miner.ingest.run import message_key, quick_key

    out = tmp_path / "g.mbox"
    subprocess.run([sys.executable, str(gen_mbox_tool), "--n", "400", "--out", str(out),
                    "--truth", str(tmp_path / "g.jsonl")], check=True, capture_output=True)
    extra = [b"Subject: no id\r\nFrom: a@b.org\r\n\r\nbody\r\n",
             b"Message-ID: <caf\xc3\xa9@x.org>\nFrom: a@b.org\n\nbody\n",
             b"From: a@b.org\nMessage-ID:\n\nempty id\n"]
    raws = [it.raw for _, items in read_sources([str(out)]) for it in items] + extra
    checked = 0
    for raw in raws:
        try:
            p = parse_bytes(raw)
        except ParseFailure:
            continue
        assert quick_key(raw) == message_key(p, raw)
        checked += 1
    assert checked >= 390


def test_rerun_over_a_grown_archive_adds_only_the_new_messages(tmp_path):
    small = _mbox(tmp_path / "a.mbox", 700)
    ws = Workspace.open(tmp_path / "ws", create=True)
    ws.ingest([str(small)])
    grown = _mbox(tmp_path / "b.mbox", 1500)  # the same 700 first, then 800 more
    r = ws.ingest([str(grown)])
    assert (r.added, r.duplicates) == (800, 700)
    fresh = Workspace.open(tmp_path / "fresh", create=True)
    fresh.ingest([str(grown)])
    q = ("SELECT key, subject, text, quoted_text, signature, segments, thread_id, parent_key "
         "FROM messages ORDER BY key")
    assert [tuple(r) for r in ws.db.execute(q)] == [tuple(r) for r in fresh.db.execute(q)]
    assert _fts_rows(ws.db) == _msg_rows(ws.db)


# ---------------------------------------------------------------- segmentation prefilters
# Cheap checks skip a regex when it cannot match; each must never skip a line the regex
# accepts (the ingest digest, tests/perf/ingest_digest.py, checks whole corpora).

_MOBILE_LINES = [
    "Sent from my iPhone", "Get Outlook for Android", "Envoyé de mon iPad", "Von meinem Handy "
    "gesendet", "Gesendet mit BlackBerry", "Diese Nachricht wurde von meinem Telefon gesendet",
    "Enviado desde mi móvil", "Inviato dal mio telefono", "Verzonden met mijn telefoon",
    "Verstuurd vanaf mijn iPhone", "Skickat från min iPhone", "Sendt fra min telefon",
    "Wysłane z telefonu", "Отправлено с iPhone", "Lähetetty iPhonesta", "Odesláno z mobilu",
    "Elküldve iPhone-ról", "iPhone'umdan gönderildi", "从我的 iPhone 发送", "發自我的 iPhone",
    "来自我的 iPhone", "寄自我的 iPhone", "…我的iPhone", "iPhoneから送信", "Sent with Spark",
    "sent by phone", "Someone from mobile", "From my phone today", "(Sent from my phone)",
    "<Sent from my iPhone>", "[Sent via Android]",
]


def test_mobile_signature_prefilter_matches_the_regex():
    import string

    from miner.clean import patterns as P
    from miner.clean.tail import _mobile_sig

    lines = list(_MOBILE_LINES)
    for line in _MOBILE_LINES:  # every first character in place of the real one
        lines += [c + line[1:] for c in string.printable.strip() + "ſKİıОоÉé从我"]
    accepted = 0
    for line in lines:
        want = P.MOBILE_SIG.match(line) is not None
        assert _mobile_sig(line) == want, line
        accepted += want
    assert accepted >= len(_MOBILE_LINES)  # the real examples do match


def test_strong_disclaimer_words_prefilter_lists_every_ascii_word():
    from miner.clean import patterns as P
    from miner.clean.tail import _STRONG_ASCII

    words = P.DISCLAIMER_STRONG.pattern.replace("\n", "").split("|")
    assert {w for w in words if w.isascii()} == set(_STRONG_ASCII)
    assert all(w.isalpha() or " " in w for w in words)  # plain words: substring test is exact


def test_r_code_prefilter_keeps_every_r_code_line():
    from miner.clean.technical import R_CODE

    lines = ["> x <- 1", "> y = 2", "+ z <<- 3", "> library(metafor)", "> summary (fit)",
             "> rma(yi, vi)", "> }", "> # comment", "+ }", "> plot(x)", "> print(res)  "]
    for line in lines:
        assert R_CODE.match(line), line
        assert "=" in line or "(" in line or "<-" in line or "}" in line or "#" in line


def test_new_workspace_uses_8k_pages_and_old_ones_keep_theirs(tmp_path):
    import sqlite3

    from miner.store.db import PAGE_SIZE, connect

    new = connect(tmp_path / "new.sqlite")
    assert new.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE == 8192
    new.close()
    old = sqlite3.connect(tmp_path / "old.sqlite")
    old.execute("PRAGMA page_size = 4096")
    old.execute("CREATE TABLE t(x)")
    old.commit()
    old.close()
    again = connect(tmp_path / "old.sqlite")  # migrated in place, pages unchanged
    assert again.execute("PRAGMA page_size").fetchone()[0] == 4096
    assert again.execute("SELECT count(*) FROM messages").fetchone()[0] == 0


# ---------------------------------------------------------------- decoding fast paths


def _plain_links(text: str) -> tuple[str, ...]:
    """mime._links as it was: the IGNORECASE regex over the text itself."""
    from miner.ingest.mime import _LINK, _LINK_TAIL

    if "http" not in text and "HTTP" not in text:
        return ()
    seen: dict[str, None] = {}
    for m in _LINK.finditer(text):
        u = m.group(0).rstrip(_LINK_TAIL)
        if len(u) > 10:
            seen.setdefault(u, None)
    return tuple(seen)


def test_links_over_lowered_text_equal_the_plain_search():
    from miner.ingest.mime import _links

    texts = [
        "see http://Example.org/Path?Q=1, and HTTPS://EXAMPLE.ORG/x).",
        "Çà et là: https://exämple.org/Ünï/ and HTTP://x.org/İstanbul and http://y.org/a",
        "İİ http://a.org/İ then http://b.org/long/path>",  # lower() changes the length
        "httpſ://odd.org/x http://fine.org/abcdef",  # IGNORECASE takes ſ for s
        "no links here", "Http://only.mixed.case/abc HTTP://UPPER.ORG/PATH/",
    ]
    for t in texts:
        assert _links(t) == _plain_links(t), t
    assert _links(texts[3]) == ("httpſ://odd.org/x", "http://fine.org/abcdef")


def test_parse_from_cache_hands_out_fresh_problem_lists():
    from miner.ingest.headers import parse_from

    v = "=?utf-8?b?broken?= <a@b.org>"
    first = parse_from(v)
    first[2].append("changed by a caller")
    assert parse_from(v) == (first[0], first[1], first[2][:-1])
    assert parse_from(b"J\xe9r\xf4me <j@x.org>")[0] == "Jérôme"  # bytes: not cached


def test_language_guess_equals_the_plain_token_loop():
    import re

    from miner.lang import _INDEX, guess_language

    token = re.compile(r"[^\W\d_]+")

    def plain(text: str) -> str | None:
        scores: dict[str, int] = {}
        for tok in token.findall(text[:4000].lower()):
            for lang in _INDEX.get(tok, ()):
                scores[lang] = scores.get(lang, 0) + 1
        if not scores:
            return None
        best = max(scores, key=scores.__getitem__)
        return best if scores[best] >= 3 else None

    texts = ["The cat and the dog of the house", "Le chat et la maison pour nous, dans la ville",
             "El perro y la casa para los niños de la ciudad", "Die Katze und das Haus für mich",
             "the_and_of x2the the9and", "de la de la de la", "O gato e a casa não é para nós",
             "short", "", "THE AND OF TO IS", "Ça, c'est la vie et les gens sont là pour nous"]
    for t in texts:
        assert guess_language(t) == plain(t), t
    assert guess_language(texts[0]) == "en" and guess_language(texts[1]) == "fr"


def test_reply_header_gate_lets_every_header_start_through():
    import string

    from miner.clean import patterns as P
    from miner.clean.segment import _HEADER_FIRST, _may_start_header

    starts = ["On Mon", "Le lundi", "Am 3.", "El lun", "Em seg", "Il giorno", "In data 3",
              "Op 3", "Den 3", "Dnia 3", "W dniu 3", "Dne 3", "At 10:00", "Quoting Ann",
              "Citando Ann", "Zitat von Ann", "Citation de Ann", "Cytując Ann", "Цитата Ann",
              "在 2024", "-- On Mon", "--On Mon"]
    lines = [s + " 2024, Ann <a@b.org> wrote" for s in starts]
    for line in list(lines):
        lines += [a + b + line[2:] for a in string.ascii_letters + "-İſ" for b in "nNeEmMlL -"]
        lines += [line.upper(), line.lower()]
    matched = 0
    for line in lines:
        # _reply_header_end tries HEADER_START only after its first-letter test
        if line[0] in _HEADER_FIRST and P.HEADER_START.match(line):
            matched += 1
            assert _may_start_header(line), line
    assert matched >= len(starts)


def test_footer_hints_can_be_searched_over_joined_paragraphs():
    from miner.clean import segment
    from miner.clean.tail import _DISCLAIMER_HINTS, _FOOTER_HINTS

    assert not any("\n" in h for h in _FOOTER_HINTS + _DISCLAIMER_HINTS)
    body = ("Hello,\n\nthe answer is 42.\n\nAnn\n\n" + "Some text.\n" * 3 +
            "\nYou are currently subscribed to\ngov-cop as a@b.org.\nTo unsubscribe send a blank"
            " email.\n")
    kinds = [s.kind for s in segment(body).segments]
    assert kinds[-1] == "footer"
