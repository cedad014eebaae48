"""The grouping as it was before the candidate-pair version (2026-11-29, commit 61953e2): dense
hybrid rows against every question, then a merge loop linking one pair at a time. Kept to check
that :func:`miner.stages.problems.group` takes the same decisions where the exact top-k lies
within its candidates."""
from __future__ import annotations

import heapq

import numpy as np

from miner.stages.problems import MAX_PROBLEM_SIZE, NEIGHBOURS, SEMANTIC_WEIGHT, _features


def _block(v, t, w, rows):
    e = v[rows] @ v.T
    if t is None:
        return e
    return (w * e + (1.0 - w) * (t[rows] @ t.T).toarray()).astype(np.float32)


def neighbours(v, t, w, k, block=256):
    n = len(v)
    k = max(1, min(k, n - 1))
    idx = np.zeros((n, k), np.int64)
    sims = np.zeros((n, k), np.float32)
    for s in range(0, n, block):
        rows = np.arange(s, min(n, s + block))
        sim = _block(v, t, w, rows)
        sim[np.arange(len(rows)), rows] = -np.inf
        part = np.argpartition(-sim, k - 1, axis=1)[:, :k]
        ps = np.take_along_axis(sim, part, 1)
        order = np.argsort(-ps, axis=1, kind="stable")
        idx[rows] = np.take_along_axis(part, order, 1)
        sims[rows] = np.take_along_axis(ps, order, 1)
    return idx, sims


def group(vectors, threshold, texts=None, weight=SEMANTIC_WEIGHT, *, k=NEIGHBOURS,
          max_size=MAX_PROBLEM_SIZE):
    n = len(vectors)
    if n <= 1:
        return np.zeros(n, dtype=int)
    v, t, w = _features(vectors, texts, weight)
    idx, sims = neighbours(v, t, w, k)
    members = {i: [i] for i in range(n)}
    esum = {i: v[i].astype(np.float64) for i in range(n)}
    tsum = {i: t[i] for i in range(n)} if t is not None else None
    adj = {i: set() for i in range(n)}
    heap = []
    for i in range(n):
        for j, s in zip(idx[i].tolist(), sims[i].tolist()):
            if s >= threshold and j not in adj[i]:
                adj[i].add(j)
                adj[j].add(i)
                heap.append((-float(s), min(i, j), max(i, j)))
    heapq.heapify(heap)

    def link(a, b):
        e = float(esum[a] @ esum[b])
        if tsum is not None:
            e = w * e + (1.0 - w) * float(tsum[a].multiply(tsum[b]).sum())
        return e / (len(members[a]) * len(members[b]))

    nxt = n
    while heap:
        s, a, b = heapq.heappop(heap)
        if a not in members or b not in members:
            continue
        if -s < threshold:
            break
        if max_size and len(members[a]) + len(members[b]) > max_size:
            continue
        c, nxt = nxt, nxt + 1
        members[c] = members.pop(a) + members.pop(b)
        esum[c] = esum.pop(a) + esum.pop(b)
        if tsum is not None:
            tsum[c] = tsum.pop(a) + tsum.pop(b)
        adj[c] = (adj.pop(a) | adj.pop(b)) - {a, b}
        for d in sorted(adj[c]):
            adj[d].discard(a)
            adj[d].discard(b)
            adj[d].add(c)
            lk = link(c, d)
            if lk >= threshold:
                heapq.heappush(heap, (-lk, min(c, d), max(c, d)))
    labels = np.zeros(n, dtype=int)
    for lab, m in enumerate(sorted(members.values(), key=min)):
        labels[m] = lab
    return labels
