"""Organisation and country from an address domain, via a small editable table.

The table (``models/domains.json``) has three parts: exact ``domains`` (matching the domain
and its subdomains) that may name an organisation, multi-label ``suffixes`` such as
``ac.uk`` or ``edu`` that give a country and a kind, and country-code ``tlds``. The longest
match wins. An organisation is only ever taken from an explicit ``domains`` entry: guessing
one from a second-level label ("maastrichtuniversity") is left to the caller.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from miner.errors import ConfigError
from miner.people import canonical_address

__all__ = ["org_from_domain", "domain_info", "load_domain_table", "DEFAULT_TABLE"]

DEFAULT_TABLE = Path(__file__).resolve().parent.parent / "models" / "domains.json"


@lru_cache(maxsize=8)
def load_domain_table(path: str | None = None) -> dict:
    """Read and check a domain table (cached per path)."""
    p = Path(path) if path else DEFAULT_TABLE
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ConfigError(f"domain table {p} not found; restore models/domains.json") from e
    except json.JSONDecodeError as e:
        raise ConfigError(f"domain table {p} is not valid JSON (line {e.lineno}): {e.msg}") from e
    for part in ("domains", "suffixes", "tlds"):
        if not isinstance(data.get(part, {}), dict):
            raise ConfigError(f"domain table {p}: '{part}' must be an object")
    return {
        "domains": {k.lower(): v for k, v in data.get("domains", {}).items()},
        "suffixes": {k.lower().lstrip("."): v for k, v in data.get("suffixes", {}).items()},
        "tlds": {k.lower().lstrip("."): v for k, v in data.get("tlds", {}).items()},
    }


def _domain(email: str | None) -> str | None:
    if not email:
        return None
    addr = canonical_address(email)
    if addr:
        return addr.rpartition("@")[2].strip(".") or None
    s = email.strip().lower()
    if "@" not in s and "." in s and " " not in s:
        return s.strip(".")  # a bare domain
    return None


def domain_info(email: str | None, table: dict | None = None) -> dict:
    """``{"organisation", "country", "kind"}`` known for the address's domain (None if unknown)."""
    t = table or load_domain_table()
    out: dict = {"organisation": None, "country": None, "kind": None}
    dom = _domain(email)
    if not dom:
        return out
    labels = dom.split(".")
    # longest exact-domain match (the domain itself or a parent domain)
    for k in range(len(labels) - 1):
        entry = t["domains"].get(".".join(labels[k:]))
        if entry:
            for f in out:
                out[f] = out[f] or entry.get(f)
            break
    for k in range(len(labels)):
        entry = t["suffixes"].get(".".join(labels[k:]))
        if entry:
            out["country"] = out["country"] or entry.get("country")
            out["kind"] = out["kind"] or entry.get("kind")
            break
    if out["country"] is None:
        out["country"] = t["tlds"].get(labels[-1])
    return out


def org_from_domain(email: str | None, table: dict | None = None) -> tuple[str | None, str | None]:
    """(organisation, country) for an address, from the domain table.

    >>> org_from_domain("wolfgang.viechtbauer at maastrichtuniversity.nl")
    ('Maastricht University', 'Netherlands')
    >>> org_from_domain("someone@physics.ox.ac.uk")
    ('University of Oxford', 'United Kingdom')
    >>> org_from_domain("a@somewhere.ac.uk")
    (None, 'United Kingdom')
    """
    info = domain_info(email, table)
    return info["organisation"], info["country"]
