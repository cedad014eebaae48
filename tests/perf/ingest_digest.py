"""A digest of everything ingest stores, per message: the correctness baseline for ingest
speed work. An optimisation of decoding, cleaning or storing must give identical digests.

    .venv/bin/python tests/perf/ingest_digest.py --out /tmp/miner-bench/workers-digest-HEAD.json
    .venv/bin/python tests/perf/ingest_digest.py --compare /tmp/miner-bench/workers-digest-HEAD.json
    .venv/bin/python tests/perf/ingest_digest.py --no-post --compare ...   # post phase not run

Each corpus group is ingested into its own fresh workspace (a group's dedup depends only on
itself). Per message (by key) the digest covers every column of ``messages`` that ingest
writes (the post phase's parent_key, thread_id, person_id and quotes_key are digested
separately, as "post", and compared only with ``--post``: another module owns them), its
``raw_messages`` row, its attachments and links; per group, the quarantine, the footers
learnt, the report counts, the FTS5 vocabulary (term, documents, occurrences) and the FTS5
integrity check. ``--compare`` prints the first differences column by column and exits 1.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPORA = ROOT.parent / "shared" / "corpora"
BENCH = Path(os.environ.get("MINER_BENCH_CACHE", "/tmp/miner-bench"))

# group name -> specs (paths); missing paths are skipped with a note
GROUPS: dict[str, list[Path]] = {
    "gen20k": [BENCH / "gen-20000-42.mbox"],
    "rsig-meta": [CORPORA / "r-sig-meta-analysis" / "raw"],
    "rsig-teaching": [CORPORA / "r-sig-teaching" / "raw"],
    "open-iscsi": [CORPORA / "open-iscsi-googlegroups"],
    "perceval-mbox": [CORPORA / "perceval-fixtures" / "mbox"],
    "notmuch": [CORPORA / "notmuch-corpora"],
    "bigbang-3gpp": [CORPORA / "bigbang-fixtures" / "3GPP_mbox"],
    "fixtures": [ROOT / "tests" / "data" / "ingest", ROOT / "corpora" / "demo" / "gov-cop.mbox"],
}
POST_COLS = ("parent_key", "thread_id", "person_id", "quotes_key")


def _h(*parts: object) -> str:
    return hashlib.sha1(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def digest_workspace(conn, report) -> dict:
    """The digest of one ingested workspace."""
    from miner.store.rawblob import decompress

    cols = [r[1] for r in conn.execute("PRAGMA table_info(messages)")]
    mine = [c for c in cols if c not in POST_COLS]
    per: dict[str, dict[str, str]] = {}
    for row in conn.execute(f"SELECT {', '.join(chr(34) + c + chr(34) for c in cols)} "
                            "FROM messages ORDER BY id"):
        d = dict(zip(cols, row))
        per[d["key"]] = {c: _h(d[c]) for c in mine}
        per[d["key"]]["post"] = _h(*(d[c] for c in POST_COLS))
    for key, src, where, raw in conn.execute(
            'SELECT key, source_id, "where", raw FROM raw_messages'):
        e = per.setdefault(key, {})
        e["raw"] = _h(src, where, decompress(raw) if raw is not None else None)
    for table in ("attachments", "links"):
        acc: dict[str, list] = {}
        for r in conn.execute(f"SELECT * FROM {table} ORDER BY rowid"):
            acc.setdefault(r[0], []).append(tuple(r[1:]))
        for key, rows in acc.items():
            per.setdefault(key, {})[table] = _h(rows)
    quarantine = [(src, where, reason, _h(decompress(raw)))
                  for src, where, reason, raw in conn.execute(
                      'SELECT source_id, "where", reason, raw FROM quarantine ORDER BY id')]
    footers = [tuple(r) for r in conn.execute("SELECT list, text FROM footers ORDER BY rowid")]
    conn.execute("CREATE VIRTUAL TABLE temp.digest_vocab USING fts5vocab(main, messages_fts, row)")
    vocab = hashlib.sha1()
    nterms = 0
    for term, docs, cnt in conn.execute("SELECT term, doc, cnt FROM temp.digest_vocab"):
        vocab.update(f"{term}\0{docs}\0{cnt}\n".encode("utf-8", "surrogatepass"))
        nterms += 1
    conn.execute("DROP TABLE temp.digest_vocab")
    try:
        conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')")
        fts_ok = "ok"
    except Exception as e:  # noqa: BLE001 - reported as a difference
        fts_ok = f"integrity-check failed: {e}"
    return {
        "messages": per,
        "quarantine": _h(quarantine), "quarantined": len(quarantine),
        "footers": _h(footers), "n_footers": len(footers),
        "report": {"seen": report.messages_seen, "added": report.added,
                   "duplicates": report.duplicates, "repaired": report.repaired,
                   "quarantined": report.quarantined},
        "fts_vocab": vocab.hexdigest()[:16], "fts_terms": nterms, "fts_integrity": fts_ok,
    }


def build(groups: list[str], *, post: bool = True) -> dict:
    from miner import Workspace

    if not post:  # the post phase (another module, maybe mid-change) is not run at all
        from miner.ingest import post as _post

        _post.rebuild_people = _post.rebuild_threads = lambda *a, **k: 0

    out: dict = {}
    for g in groups:
        specs = [str(p) for p in GROUPS[g] if p.exists()]
        if not specs:
            print(f"{g}: skipped, none of {GROUPS[g]} exists", file=sys.stderr)
            continue
        with tempfile.TemporaryDirectory(prefix=f"workers-digest-{g}-") as tmp:
            ws = Workspace.open(Path(tmp) / "ws", create=True)
            c0 = time.process_time()
            report = ws.ingest(specs)
            d = digest_workspace(ws.db, report)
            ws.db.close()
        print(f"{g}: {report.messages_seen} seen, {report.added} stored, {report.quarantined} "
              f"quarantined ({time.process_time() - c0:.1f} s CPU in this process)",
              file=sys.stderr)
        out[g] = d
    return out


def compare(want: dict, got: dict, *, post: bool = False, limit: int = 20) -> list[str]:
    """Human-readable differences (empty when identical)."""
    diffs: list[str] = []
    for g, w in want.items():
        if g not in got:
            diffs.append(f"{g}: missing from this run")
            continue
        o = got[g]
        for k in ("quarantine", "footers", "report", "fts_vocab", "fts_terms", "fts_integrity"):
            if w[k] != o[k]:
                diffs.append(f"{g}: {k} differs: {w[k]!r} -> {o[k]!r}")
        wm, om = w["messages"], o["messages"]
        for key in sorted(set(wm) | set(om)):
            a, b = wm.get(key), om.get(key)
            if a is None or b is None:
                diffs.append(f"{g}: {key} only in {'this run' if a is None else 'the baseline'}")
                continue
            cols = [c for c in sorted(set(a) | set(b)) if a.get(c) != b.get(c)
                    and (post or c != "post")]
            if cols:
                diffs.append(f"{g}: {key}: {', '.join(cols)}")
    return diffs[:limit] + ([f"... {len(diffs) - limit} more"] if len(diffs) > limit else [])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, help="write the digest here")
    ap.add_argument("--compare", type=Path, help="compare with this earlier digest")
    ap.add_argument("--groups", default=",".join(GROUPS), help="comma-separated, of: "
                    + ", ".join(GROUPS))
    ap.add_argument("--post", action="store_true", help="compare the post-phase columns too")
    ap.add_argument("--no-post", action="store_true",
                    help="skip the post phase (threads, people): checks only what ingest stores")
    args = ap.parse_args(argv)
    got = build([g for g in args.groups.split(",") if g], post=not args.no_post)
    if args.out:
        args.out.write_text(json.dumps(got))
    if args.compare:
        want = json.loads(args.compare.read_text())
        want = {g: v for g, v in want.items() if g in got}
        diffs = compare(want, got, post=args.post)
        n = sum(len(v["messages"]) for v in got.values())
        if diffs:
            print("\n".join(diffs))
            print(f"DIFFERENT from {args.compare}")
            return 1
        print(f"identical to {args.compare}: {len(got)} groups, {n} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
