"""A BM25 index of every message's subject and new text (numpy posting lists, memory-mapped),
persisted in ``<workspace>/search/keyword/`` and extended incrementally after ingests; built
in bounded memory by :mod:`.postings_build`.

Why not FTS5's own ranking: FTS5 scores every matching row through the ``bm25()`` auxiliary
function (about 5 µs a row), so ``ORDER BY rank`` over a query with common words costs 180 to 350
ms of CPU at 100k messages, and a budget of scored rows (the previous design) kept only 35 % of
the exact top 10 (both measured on the 100k workspace of ``benchmarks/bench_search.py
latency``). Vectorised over posting arrays the same exact BM25 costs a few ms (p95 3 to 7 ms of
CPU there). The FTS5 path stays for comparison (see ``keyword.py``).

The scoring is FTS5's ``bm25()``: ``idf = ln((N - n + 0.5) / (n + 0.5))`` (1e-6 when <= 0),
``k1 = 1.2``, ``b = 0.75``, the term frequency a weighted sum over the subject and text columns,
document length = tokens of both columns. Tokens follow FTS5's ``unicode61 remove_diacritics``
closely (runs of letters and digits, lower-cased, accents removed).

Segments: the first build indexes every message; later messages (higher ids) go to a new
segment. The index is rebuilt past ``MAX_SEGMENTS``, when a message was deleted (the count below
the indexed ``max_id`` changed), or when FTS5's change stamp moved without any new message (an
edit). An edit made in the same change as new messages goes unseen until the next rebuild
(miner never edits a stored message's subject or text; ingest only adds).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

K1, B = 1.2, 0.75
MAX_SEGMENTS = 16  # small segments cost a dict look-up per term each; past this, rebuild
MAX_PREFIX_TERMS = 256  # a prefix term (tax*) expands to at most this many index terms
_TOKEN = re.compile(r"[^\W_]+")


_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


_ASCII_SEPARATORS = str.maketrans(dict.fromkeys(
    [chr(c) for c in range(128) if not chr(c).isalnum() and not chr(c).isspace()], " "))


def tokenize(text: str) -> list[str]:
    """Lower-cased runs of letters and digits without accents (as FTS5's unicode61)."""
    t = (text or "").lower()
    if t.isascii():  # twice as fast as the regex, same tokens
        return t.translate(_ASCII_SEPARATORS).split()
    return _TOKEN.findall(_MARKS.sub("", unicodedata.normalize("NFD", t)))


@dataclass
class Segment:
    """Posting lists of one range of message ids: term ``names`` (sorted), ``offsets`` into
    ``docs`` (message ids, ascending per term) and the subject / text term counts.

    Terms are found by bisection of ``names`` (~1 µs): a dict of a million terms would cost
    ~70 MB more in every process holding the index, for look-ups counted in tens per query."""

    names: list[str]
    offsets: np.ndarray
    docs: np.ndarray
    tf_subject: np.ndarray
    tf_text: np.ndarray

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        r = bisect_left(self.names, term)
        if r == len(self.names) or self.names[r] != term:
            return None
        a, b = int(self.offsets[r]), int(self.offsets[r + 1])
        return self.docs[a:b], self.tf_subject[a:b], self.tf_text[a:b]

    def prefixed(self, prefix: str) -> list[str]:
        i = bisect_left(self.names, prefix)
        out = []
        while i < len(self.names) and self.names[i].startswith(prefix) and len(out) < MAX_PREFIX_TERMS:
            out.append(self.names[i])
            i += 1
        return out


@dataclass
class KeywordIndex:
    """The segments plus per-message token counts (``lengths[id]``) and what it covers."""

    segments: list[Segment]
    lengths: np.ndarray  # float32, indexed by messages.id (0 for ids not indexed)
    count: int  # messages indexed
    max_id: int
    stamp: str  # the FTS5 change stamp it was built at

    @property
    def avgdl(self) -> float:
        return float(self.lengths.sum()) / max(1, self.count)

    def df(self, term: str) -> int:
        return sum(int(p[0].shape[0]) for p in (s.postings(term) for s in self.segments) if p)

    def expand(self, prefix: str) -> list[str]:
        return sorted({t for s in self.segments for t in s.prefixed(prefix)})[:MAX_PREFIX_TERMS]

    def gather(self, words: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        parts = [p for s in self.segments for w in words if (p := s.postings(w)) is not None]
        if not parts:
            z = np.zeros(0, dtype=np.int32)
            return z, z.astype(np.uint16), z.astype(np.uint16)
        if len(parts) == 1:
            return parts[0]
        return tuple(np.concatenate([p[j] for p in parts]) for j in range(3))  # type: ignore[return-value]

    def scores(self, phrases: list[list[str]], subject_weight: float = 1.0
               ) -> tuple[np.ndarray, np.ndarray]:
        """``(ids, bm25)`` of every message matching any phrase (a phrase = the index terms a
        query term stands for: one word, or a prefix's expansions)."""
        n, avgdl = max(1, self.count), self.avgdl or 1.0
        acc = np.zeros(self.max_id + 1, dtype=np.float32)
        hit = np.zeros(self.max_id + 1, dtype=bool)
        for words in phrases:
            docs, ts, tt = self.gather(words)
            if not len(docs):
                continue
            tf = ts.astype(np.float32) * subject_weight + tt
            if len(words) > 1:  # a prefix: one phrase, its counts summed per message
                docs, inv = np.unique(docs, return_inverse=True)
                tf = np.bincount(inv, weights=tf).astype(np.float32)
            nt = len(docs)
            idf = np.log((n - nt + 0.5) / (nt + 0.5))
            idf = idf if idf > 0 else 1e-6
            norm = K1 * (1 - B + B * self.lengths[docs] / avgdl)
            acc[docs] += idf * tf * (K1 + 1) / (tf + norm)
            hit[docs] = True
        ids = np.flatnonzero(hit)
        return ids, acc[ids]


# --------------------------------------------------------------------------- stamps, files

def fts_stamp(conn) -> str:
    """Changes whenever the FTS5 index changes (its structure record holds a write cookie),
    plus the largest message id; read in two row look-ups."""
    top = conn.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()[0]
    try:
        row = conn.execute("SELECT block FROM messages_fts_data WHERE id = 10").fetchone()
        h = hashlib.sha1(row[0]).hexdigest()[:16] if row and row[0] else "-"
    except Exception:  # noqa: BLE001 - an FTS5 layout we do not know: fall back to the count
        h = "n" + str(conn.execute("SELECT count(*) FROM messages").fetchone()[0])
    return f"{top}:{h}"


def _tmp_name(p: Path) -> Path:
    """A name no other process or thread writes (processes may update the index together)."""
    import threading

    return p.with_name(f"{p.name}.tmp{os.getpid()}-{threading.get_ident()}")


def _save_segment(d: Path, seg: Segment) -> None:
    """Written under a private name, then renamed into place (a reader never sees half)."""
    if d.exists():  # another process wrote the same segment (same ids, same stamp)
        return
    tmp = _tmp_name(d)
    tmp.mkdir(parents=True)
    (tmp / "names.txt").write_text("\n".join(seg.names), encoding="utf-8")
    for name in ("offsets", "docs", "tf_subject", "tf_text"):
        np.save(tmp / f"{name}.npy", getattr(seg, name))
    try:
        os.rename(tmp, d)
    except OSError:  # it appeared meanwhile: keep that one
        _remove(tmp)


def _load_segment(d: Path, names: list[str] | None = None) -> Segment:
    """The segment saved in ``d`` (its arrays memory-mapped); ``names`` if the caller has them."""
    if names is None:
        text = (d / "names.txt").read_text(encoding="utf-8")
        names = text.split("\n") if text else []
    arr = {n: np.load(d / f"{n}.npy", mmap_mode="r") for n in ("docs", "tf_subject", "tf_text")}
    return Segment(names, np.load(d / "offsets.npy"), arr["docs"], arr["tf_subject"],
                   arr["tf_text"])


def save(index: KeywordIndex, root: Path, seg_names: list[str]) -> None:
    """Write the meta file last (atomically): a reader sees the old index or the new one."""
    root.mkdir(parents=True, exist_ok=True)
    nz = np.flatnonzero(index.lengths)
    lengths = f"lengths-{index.stamp.replace(':', '-')}.npy"
    tmp = _tmp_name(root / lengths)
    with open(tmp, "wb") as fh:
        np.save(fh, np.stack([nz, index.lengths[nz].astype(np.int64)]))
    os.replace(tmp, root / lengths)
    meta = {"segments": seg_names, "count": index.count, "max_id": index.max_id,
            "stamp": index.stamp, "lengths": lengths}
    tmp = _tmp_name(root / "meta.json")
    tmp.write_text(json.dumps(meta))
    os.replace(tmp, root / "meta.json")
    keep = set(seg_names) | {lengths, "meta.json"}
    for p in root.iterdir():  # segments and length files of older versions, and the
        if p.name not in keep and (".tmp" not in p.name or _orphan(p)):  # work of dead builds
            _remove(p)


def _orphan(p: Path) -> bool:
    """A private ``.tmp<pid>-<thread>`` file or folder of a process that no longer runs."""
    try:
        pid = int(p.name.split(".tmp", 1)[1].split("-")[0])
        os.kill(pid, 0)
    except (ValueError, IndexError):
        return False
    except ProcessLookupError:
        return True
    except OSError:  # alive but not ours to signal
        return False
    return False


def _remove(p: Path) -> None:
    import shutil

    try:
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    except OSError as e:
        log.debug("cannot remove %s: %s", p, e)


def _read_meta(root: Path) -> dict | None:
    """The saved index's ``meta.json`` (segments, count, max_id, stamp), or None."""
    try:
        meta = json.loads((root / "meta.json").read_text())
        meta["count"], meta["max_id"], meta["stamp"], meta["segments"]  # noqa: B018
        return meta
    except (OSError, ValueError, KeyError) as e:
        log.debug("no usable keyword index at %s: %s", root, e)
        return None


def load(root: Path) -> tuple[KeywordIndex, list[str]] | None:
    try:
        meta = json.loads((root / "meta.json").read_text())
        segs = [_load_segment(root / s) for s in meta["segments"]]
        ids, lens = np.load(root / meta["lengths"])
    except (OSError, ValueError, KeyError) as e:
        log.debug("no usable keyword index at %s: %s", root, e)
        return None
    lengths = np.zeros(int(meta["max_id"]) + 1, dtype=np.float32)
    lengths[ids] = lens
    return KeywordIndex(segs, lengths, int(meta["count"]), int(meta["max_id"]), meta["stamp"]), \
        list(meta["segments"])


def _persist(write) -> None:
    try:
        write()
    except OSError as e:  # a read-only workspace: the index lives in this process only
        log.warning("cannot save the keyword index: %s", e)
