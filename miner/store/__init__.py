"""The workspace's SQLite store: connection, migrations and the queries stages share."""
from __future__ import annotations

from miner.store.db import connect, migrate, SCHEMA_VERSION

__all__ = ["connect", "migrate", "SCHEMA_VERSION"]
