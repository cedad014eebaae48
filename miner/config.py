"""Settings: one table of name, default and help; loaded from ``miner.toml`` in the workspace
plus overrides, in one place. An unknown key is an error that lists the valid keys.
Nothing is read at import time.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from miner.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    choices: tuple[Any, ...] = ()


SETTINGS: tuple[Setting, ...] = (
    Setting("mode", "quality", "fast: static model2vec embeddings and PCA+KMeans topics; "
            "quality: MiniLM embeddings and UMAP+HDBSCAN topics.", ("fast", "quality")),
    Setting("embedding_model", "auto", "auto (follows mode), minilm or static.",
            ("auto", "minilm", "static")),
    Setting("device", "cpu", "Torch device for MiniLM.", ("cpu", "cuda", "mps")),
    Setting("precision", "auto", "auto (bf16 where the CPU supports it), fp32 or bf16.",
            ("auto", "fp32", "bf16")),
    Setting("batch_size", 64, "Embedding batch size."),
    Setting("max_seq_length", 256, "Longest input of MiniLM in tokens; longer texts are chunked."),
    Setting("subject_window_days", 30, "Subject-based thread joining: how far apart (days) a "
            "'Re:' message may be from the thread it joins."),
    Setting("topics_mode", "auto", "auto (follows mode), fast or quality.",
            ("auto", "fast", "quality")),
    Setting("topics_min_size", 10, "Smallest topic (HDBSCAN min_cluster_size)."),
    Setting("seed", 42, "Random seed of every stochastic stage."),
    Setting("pseudonymise", False, "Replace names and addresses in everything shown and exported."),
    Setting("ann_threshold", 50_000, "Above this many vectors, search uses an approximate "
            "(hnswlib) index; measured at 100k: exact 15 ms CPU, hnswlib 1.6 ms at 92 % recall@10."),
)
_BY_NAME = {s.name: s for s in SETTINGS}


class Config:
    """Resolved settings: defaults < miner.toml < overrides."""

    def __init__(self, values: dict[str, Any] | None = None) -> None:
        self._values = {s.name: s.default for s in SETTINGS}
        for k, v in (values or {}).items():
            self.set(k, v)

    @classmethod
    def load(cls, workspace: Path, overrides: dict[str, Any] | None = None) -> "Config":
        values: dict[str, Any] = {}
        path = Path(workspace) / "miner.toml"
        if path.exists():
            try:
                values.update(tomllib.loads(path.read_text(encoding="utf-8")))
            except tomllib.TOMLDecodeError as e:
                raise ConfigError(f"{path}: {e}; fix the file or delete it to use defaults") from None
        values.update(overrides or {})
        return cls(values)

    def set(self, name: str, value: Any) -> None:
        if name not in _BY_NAME:
            raise ConfigError(
                f"unknown setting {name!r}; valid settings: {', '.join(sorted(_BY_NAME))}"
            )
        s = _BY_NAME[name]
        if isinstance(s.default, bool) and isinstance(value, str):
            value = value.lower() in ("1", "true", "yes", "on")
        elif isinstance(s.default, int) and not isinstance(s.default, bool):
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise ConfigError(f"setting {name!r} needs a whole number, not {value!r}") from None
        if s.choices and value not in s.choices:
            raise ConfigError(
                f"setting {name!r} cannot be {value!r}; choose one of: "
                + ", ".join(map(str, s.choices))
            )
        self._values[name] = value

    def __getitem__(self, name: str) -> Any:
        if name not in _BY_NAME:
            raise ConfigError(f"unknown setting {name!r}; valid settings: {', '.join(sorted(_BY_NAME))}")
        return self._values[name]

    @property
    def embedding_model(self) -> str:
        m = self["embedding_model"]
        return m if m != "auto" else ("static" if self["mode"] == "fast" else "minilm")

    @property
    def topics_mode(self) -> str:
        m = self["topics_mode"]
        return m if m != "auto" else self["mode"]

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def save(self, workspace: Path) -> None:
        lines = []
        for s in SETTINGS:
            v = self._values[s.name]
            if v != s.default:
                lines.append(f"{s.name} = {_toml(v)}")
        (Path(workspace) / "miner.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _toml(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'
