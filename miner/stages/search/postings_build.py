"""Building and extending the keyword index (:mod:`.postings`) in bounded memory.

Messages are read in id order and tokenized into a *run* of at most ``RUN_POSTINGS`` postings.
A full run is sorted (term, then message id) and spilled to disk as raw arrays. At the end the
runs are merged by ranges of terms holding at most ``MERGE_POSTINGS`` postings: each pass reads
from every run the contiguous slice of its terms in the range (a run is sorted by term, and the
runs cover ascending ids, so a term's postings taken run after run stay in id order) and
appends it to the segment's files. The files are the ones a one-pass build writes, byte for
byte (``tests/search/test_postings_build.py``).

Memory over the process (``benchmarks/bench_keyword.py``): one run (its own vocabulary and
arrays), one merge pass, 8 to 20 bytes per message, and at the end the sorted term list the
finished index keeps. Measured 51 MB at 100k messages and 148 MB at 1M (997k distinct terms:
the term list is most of the difference); the previous build, which held every posting, took
415 MB and 3.5 GB.
"""
from __future__ import annotations

import heapq
import logging
import os
import shutil
import tempfile
from array import array
from collections import Counter, defaultdict
from itertools import count, repeat
from pathlib import Path

import numpy as np

from miner.stages.search.postings import (
    MAX_SEGMENTS,
    KeywordIndex,
    Segment,
    _load_segment,
    _persist,
    _read_meta,
    _remove,
    _save_segment,
    _tmp_name,
    fts_stamp,
    load,
    save,
    tokenize,
)

log = logging.getLogger(__name__)

RUN_POSTINGS = 1 << 20  # postings tokenized before a run is sorted and spilled
MERGE_POSTINGS = 1 << 21  # postings per merge pass (8 bytes each in its buffers)
SCAN_CACHE_KB = -4096  # SQLite page cache while the build reads every message (4 MB; the
# workspace connection's 64 MB would fill up with pages read once: measured 62 MB at 100k)
_CAP = 65535  # term counts are stored as uint16
_ARRAYS = (("docs", np.int32), ("tf_subject", np.uint16), ("tf_text", np.uint16))


class _Runs:
    """Tokenized messages, spilled as sorted runs under ``folder`` (created when needed).

    Each run has its own vocabulary (term -> id in the run), so the build never holds every
    distinct term: the merge reads the runs' sorted term lists side by side."""

    def __init__(self, folder: Path | None, run_postings: int) -> None:
        self.folder, self.run_postings = folder, max(1, int(run_postings))
        self.runs = 0
        self.done_ids: list[np.ndarray] = []  # ids and token counts of the spilled runs
        self.done_lens: list[np.ndarray] = []
        self._reset()

    def _reset(self) -> None:
        # a new term gets the next id (``count``, not the dict's own ``__len__``: that would be
        # a reference cycle, and each run's vocabulary would wait for the cyclic collector)
        self.vocab: defaultdict[str, int] = defaultdict(count().__next__)
        self.tids, self.tfs, self.tft = array("i"), array("I"), array("I")
        self.ids, self.lens, self.nterms = array("i"), array("i"), array("i")

    def add_rows(self, rows) -> None:
        """Tokenize ``(id, subject, text)`` rows (ascending ids), spilling full runs."""
        zeros = repeat(0)
        get, tids = self.vocab.__getitem__, self.tids
        for mid, subject, text in rows:
            s, t = tokenize(subject), tokenize(text)
            ct = Counter(t)
            if s:
                cs = Counter(s)
                for w in cs:
                    if w not in ct:
                        ct[w] = 0
                self.tfs.extend(map(cs.get, ct, zeros))
            else:
                self.tfs.extend(array("I", bytes(4 * len(ct))))
            tids.extend(map(get, ct))
            self.tft.extend(ct.values())
            self.ids.append(mid)
            self.lens.append(len(s) + len(t))
            self.nterms.append(len(ct))
            if len(tids) >= self.run_postings:
                self.spill()
                get, tids = self.vocab.__getitem__, self.tids

    def sorted_run(self) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The current run as ``(its terms sorted, postings per term, docs, tf_subject,
        tf_text)``, postings ordered by term then id."""
        names = list(self.vocab)  # by id
        perm = sorted(range(len(names)), key=names.__getitem__)
        place = np.empty(len(names), dtype=np.int32)  # id -> place in term order
        place[perm] = np.arange(len(names), dtype=np.int32)
        key = place[np.frombuffer(self.tids, dtype=np.int32)]
        counts = np.bincount(key, minlength=len(names)).astype(np.int64)
        order = np.argsort(key, kind="stable")  # ids stay ascending within a term
        del key
        ids = np.frombuffer(self.ids, dtype=np.int32)
        docs = np.repeat(ids, np.frombuffer(self.nterms, dtype=np.int32))[order]

        def cap(a: array) -> np.ndarray:
            return np.minimum(np.frombuffer(a, dtype=np.uint32)[order], _CAP).astype(np.uint16)

        return [names[i] for i in perm], counts, docs, cap(self.tfs), cap(self.tft)

    def spill(self) -> None:
        """Sort the current run and write it out; keep only its message ids and lengths
        (each run's own arrays: one array grown over the whole build fragments the heap)."""
        self.done_ids.append(np.frombuffer(self.ids, dtype=np.int32).copy())
        self.done_lens.append(np.frombuffer(self.lens, dtype=np.int32).copy())
        if not len(self.tids):  # messages without a token: nothing to write
            self._reset()
            return
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="miner-keyword-runs-"))
        self.folder.mkdir(parents=True, exist_ok=True)
        names, *arrays = self.sorted_run()
        self._reset()
        with open(self.folder / f"{self.runs}.names", "w", encoding="utf-8") as fh:
            fh.writelines(w + "\n" for w in names)
        del names
        for part, a in zip(("counts", "docs", "tf_subject", "tf_text"), arrays):
            a.tofile(self.folder / f"{self.runs}.{part}")
        self.runs += 1

    def names(self, run: int):
        """The run's terms in order, read line by line."""
        with open(self.folder / f"{run}.names", encoding="utf-8") as fh:  # type: ignore[operator]
            for line in fh:
                yield line[:-1]

    def read(self, run: int, part: str, dtype, start: int = 0, stop: int = -1) -> np.ndarray:
        """Items ``start:stop`` of a spilled array (``stop`` -1: to the end)."""
        size = np.dtype(dtype).itemsize
        return np.fromfile(self.folder / f"{run}.{part}", dtype=dtype,  # type: ignore[operator]
                           count=-1 if stop < 0 else stop - start, offset=start * size)


def build_segment(rows, out: Path | None = None, *, run_postings: int | None = None,
                  merge_postings: int | None = None) -> tuple[Segment, np.ndarray, np.ndarray]:
    """A segment of ``(id, subject, text)`` rows (ascending ids), with the ids and token counts.

    Up to ``run_postings`` postings it is built in memory and ``out`` is not touched. Beyond,
    runs are spilled next to ``out`` and merged into the segment files in ``out`` (a temporary
    folder removed once mapped when ``out`` is None), and the segment's arrays are
    memory-mapped from there."""
    work = out.with_name(out.name + ".runs.tmp") if out is not None else None
    runs = _Runs(work, run_postings or RUN_POSTINGS)
    try:
        runs.add_rows(rows)
        if runs.runs == 0:  # one run: sorted in memory
            ids = np.frombuffer(runs.ids, dtype=np.int32).astype(np.int64)
            lens = np.frombuffer(runs.lens, dtype=np.int32).copy()
            names, counts, docs, ts, tt = runs.sorted_run()
            offsets = np.zeros(len(names) + 1, dtype=np.int64)
            np.cumsum(counts, out=offsets[1:])
            return Segment(names, offsets, docs, ts, tt), ids, lens
        runs.spill()
        ids = np.concatenate(runs.done_ids).astype(np.int64)
        lens = np.concatenate(runs.done_lens)
        runs.done_ids, runs.done_lens = [], []
        target = out or Path(tempfile.mkdtemp(prefix="miner-keyword-"))
        try:
            seg = _merge(runs, target, int(merge_postings or MERGE_POSTINGS))
        finally:
            if out is None:
                shutil.rmtree(target, ignore_errors=True)  # the mapping outlives the files
        return seg, ids, lens
    finally:
        if runs.folder is not None:
            shutil.rmtree(runs.folder, ignore_errors=True)


def _vocabulary(runs: _Runs) -> tuple[list[str], list[np.ndarray]]:
    """Every term in order, and per run the place of each of its terms in that order (a merge
    of the runs' sorted term files: only the distinct terms are held)."""
    names: list[str] = []
    places = [array("i") for _ in range(runs.runs)]
    last = None
    streams = [zip(runs.names(r), repeat(r)) for r in range(runs.runs)]
    for w, r in heapq.merge(*streams):
        if w != last:
            names.append(w)
            last = w
        places[r].append(len(names) - 1)
    return names, [np.frombuffer(p, dtype=np.int32) for p in places]


def _merge(runs: _Runs, out: Path, merge_postings: int) -> Segment:
    """Merge the spilled runs into the segment files in ``out``, ``merge_postings`` at a time
    (a term with more postings than that is copied run by run on its own)."""
    names, places = _vocabulary(runs)
    nterms = len(names)
    offsets = np.zeros(nterms + 1, dtype=np.int64)
    for r in range(runs.runs):
        offsets[1 + places[r]] += runs.read(r, "counts", np.int64)
    np.cumsum(offsets, out=offsets)
    bounds = [0]
    while bounds[-1] < nterms:
        g = bounds[-1]
        nxt = int(np.searchsorted(offsets, offsets[g] + merge_postings, side="right")) - 1
        bounds.append(min(nterms, max(g + 1, nxt)))
    b = np.asarray(bounds, dtype=np.int64)
    cuts = []  # per run: (term index, posting index) at every bound
    for r in range(runs.runs):
        ti = np.searchsorted(places[r], b)
        cuts.append((ti, np.concatenate(([0], np.cumsum(runs.read(r, "counts", np.int64))))[ti]))
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "names.txt", "w", encoding="utf-8") as fh:
        fh.write("\n".join(names))
    np.save(out / "offsets.npy", offsets)
    files = {}
    try:
        for name, dtype in _ARRAYS:
            fh = files[name] = open(out / f"{name}.npy", "wb")
            np.lib.format.write_array_header_1_0(
                fh, {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
                     "fortran_order": False, "shape": (int(offsets[-1]),)})
        for k in range(len(bounds) - 1):
            g0, g1 = bounds[k], bounds[k + 1]
            if g1 - g0 == 1:  # one term: its postings run after run, no buffer of them all
                for r, (_, pi) in enumerate(cuts):
                    for name, dtype in _ARRAYS:
                        runs.read(r, name, dtype, int(pi[k]), int(pi[k + 1])).tofile(files[name])
                continue
            size = int(offsets[g1] - offsets[g0])
            bufs = {name: np.empty(size, dtype=dtype) for name, dtype in _ARRAYS}
            fill = offsets[g0:g1] - offsets[g0]  # next free slot of each term in the range
            for r, (ti, pi) in enumerate(cuts):
                t0, t1, p0, p1 = int(ti[k]), int(ti[k + 1]), int(pi[k]), int(pi[k + 1])
                if p1 == p0:
                    continue
                local = places[r][t0:t1] - g0
                counts = runs.read(r, "counts", np.int64, t0, t1)
                first = np.cumsum(counts) - counts
                dest = np.repeat(fill[local] - first, counts) + np.arange(p1 - p0)
                fill[local] += counts
                for name, dtype in _ARRAYS:
                    bufs[name][dest] = runs.read(r, name, dtype, p0, p1)
            for name, _ in _ARRAYS:
                bufs[name].tofile(files[name])
            del bufs
    finally:
        for fh in files.values():
            fh.close()
    return _load_segment(out, names)


# --------------------------------------------------------------------------- update

def update(conn, root: Path | None, current: tuple[KeywordIndex, list[str]] | None = None,
           *, stamp: str | None = None, persist: bool = True) -> tuple[KeywordIndex, list[str], str]:
    """The index brought up to date with ``messages``: ``(index, segment names, what was
    done)``. Only messages above the indexed ``max_id`` are read when nothing else changed;
    a deletion or an edit (or too many segments) rebuilds it. Loaded from and (with ``persist``)
    saved under ``root`` if given; a saved index that must be rebuilt is not loaded first (a
    process already holding it, such as the app, keeps it in memory while the rebuild runs)."""
    stamp = stamp or fts_stamp(conn)
    extends = None
    if current is None and root is not None:
        meta = _read_meta(root)
        if meta is not None and (meta["stamp"] == stamp or (extends := _extends(conn, meta))):
            current = load(root)
    if current is not None and current[0].stamp == stamp:
        return current[0], current[1], "current"
    write = root is not None and persist
    if current is not None and extends is None:
        extends = _extends(conn, {"count": current[0].count, "max_id": current[0].max_id,
                                  "segments": current[1]})
    if current is not None and extends:
        idx, names = current
        seg, ids, lens, name = _build(
            conn, "SELECT id, subject, text FROM messages WHERE id > ? ORDER BY id",
            (idx.max_id,), root if write else None, stamp, keep_empty=False)
        if len(ids):  # new messages only; no new message under a new stamp is an edit
            max_id = int(ids[-1])
            lengths = np.zeros(max_id + 1, dtype=np.float32)
            lengths[: len(idx.lengths)] = idx.lengths
            lengths[ids] = lens
            new = KeywordIndex(idx.segments + [seg], lengths, idx.count + len(ids), max_id, stamp)
            names = names + [name]
            if write:
                _persist(lambda: save(new, root, names))  # type: ignore[arg-type]
            return new, names, f"added {len(ids)}"
    seg, ids, lens, name = _build(conn, "SELECT id, subject, text FROM messages ORDER BY id", (),
                                  root if write else None, stamp, keep_empty=True)
    max_id = int(ids[-1]) if len(ids) else 0
    lengths = np.zeros(max_id + 1, dtype=np.float32)
    lengths[ids] = lens
    new = KeywordIndex([seg], lengths, len(ids), max_id, stamp)
    if write:
        _persist(lambda: save(new, root, [name]))  # type: ignore[arg-type]
    return new, [name], "rebuilt"


def _extends(conn, meta: dict) -> bool:
    """True when the index described by ``meta`` can be extended by new messages (none of its
    messages deleted, room for one more segment)."""
    # count(*) of the whole table scans its smallest index (0.07 s CPU at 1M messages); a count
    # of ``id <= max_id`` walked the table itself (4.5 s CPU, 26 s wall there)
    top, n = conn.execute(
        "SELECT (SELECT coalesce(max(id), 0) FROM messages WHERE id <= ?1), "
        "(SELECT count(*) FROM messages) - (SELECT count(*) FROM messages WHERE id > ?1)",
        (int(meta["max_id"]),)).fetchone()
    return n == int(meta["count"]) and top == int(meta["max_id"]) and \
        len(meta["segments"]) < MAX_SEGMENTS


def _build(conn, sql: str, args: tuple, root: Path | None, stamp: str, *,
           keep_empty: bool) -> tuple[Segment, np.ndarray, np.ndarray, str]:
    """The segment of the rows ``sql`` selects, and its name; with ``root``, saved there under
    that name (a large one is merged straight into place, a small one written from memory;
    an empty one only with ``keep_empty``). When ``root`` cannot be written, the segment is
    built in a temporary folder and lives in this process only."""
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {SCAN_CACHE_KB}")  # one pass: a big cache only grows
    try:
        return _build_named(conn, sql, args, root, stamp, keep_empty)
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")


def _build_named(conn, sql: str, args: tuple, root: Path | None, stamp: str,
                 keep_empty: bool) -> tuple[Segment, np.ndarray, np.ndarray, str]:
    out = None
    if root is not None:
        try:
            root.mkdir(parents=True, exist_ok=True)
            out = _tmp_name(root / "seg")
            seg, ids, lens = build_segment(conn.execute(sql, args), out)
        except OSError as e:
            log.warning("cannot write the keyword index under %s (%s); it lives in this "
                        "process only", root, e)
            if out is not None:
                _remove(out)
                _remove(out.with_name(out.name + ".runs.tmp"))
            root = out = None
    if root is None:
        seg, ids, lens = build_segment(conn.execute(sql, args))
    name = f"seg-{int(ids[0]) if len(ids) else 0}-{int(ids[-1]) if len(ids) else 0}-" \
        f"{stamp.split(':')[1][:8]}"
    if out is not None and out.exists():  # merged in place: move it under its name
        try:
            os.rename(out, root / name)  # type: ignore[operator]
        except OSError:  # another process wrote the same segment meanwhile: keep that one
            _remove(out)
    elif root is not None and (len(ids) or keep_empty):
        _persist(lambda: _save_segment(root / name, seg))  # type: ignore[operator]
    return seg, ids, lens, name
