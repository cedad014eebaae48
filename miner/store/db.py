"""Opening the workspace database: WAL mode, a busy timeout, and numbered migrations.

Migrations are the files ``migrations/NNN_name.sql``, applied in order, each in its own
transaction; ``PRAGMA user_version`` records the last one applied. Stage modules add their
own numbered files; numbers may leave gaps.
"""
from __future__ import annotations

import re
import sqlite3
from importlib import resources
from pathlib import Path

from miner.errors import WorkspaceError

PAGE_SIZE = 8192
_MIGRATION_RE = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def _migrations() -> list[tuple[int, str, str]]:
    out = []
    for entry in resources.files("miner.store").joinpath("migrations").iterdir():
        m = _MIGRATION_RE.match(entry.name)
        if m:
            out.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(out)


SCHEMA_VERSION = max((n for n, _, _ in _migrations()), default=0)


def connect(path: Path, *, readonly: bool = False, timeout: float = 30.0) -> sqlite3.Connection:
    """Open (and migrate, unless ``readonly``) the database at ``path``."""
    fresh = not readonly and (not Path(path).exists() or Path(path).stat().st_size == 0)
    try:
        if readonly:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=timeout,
                                   check_same_thread=False)
        else:
            conn = sqlite3.connect(str(path), timeout=timeout, check_same_thread=False)
    except sqlite3.OperationalError as e:
        raise WorkspaceError(
            f"cannot open the workspace database {path}: {e}; check the folder exists and "
            "is writable, or pass another --workspace"
        ) from None
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    try:
        if fresh:
            # 8 KiB pages for a new database (before WAL fixes the size): a message row with
            # its body and texts mostly fits one page; storing gen_mbox 20k took 17 % less
            # CPU than with 4 KiB pages (fewer overflow pages and WAL frames per commit)
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("PRAGMA cache_size = -65536")
        conn.execute("PRAGMA temp_store = MEMORY")
        if not readonly:
            migrate(conn)
    except sqlite3.OperationalError as e:
        conn.close()
        raise WorkspaceError(
            f"cannot use the workspace database {path}: {e}; check that the folder is writable "
            "and that the file is a miner workspace (or pass another --workspace)"
        ) from None
    except sqlite3.DatabaseError as e:
        conn.close()
        raise WorkspaceError(
            f"{path} is not a usable SQLite database ({e}); pass another --workspace"
        ) from None
    return conn


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every migration not applied yet, each in its own transaction; return the highest.

    Applied numbers are recorded one by one in ``schema_migrations`` (so a migration added
    later with a lower number than one already applied still runs); ``PRAGMA user_version``
    mirrors the highest for tools that look there.
    """
    conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (number INTEGER PRIMARY KEY, "
                 "name TEXT, applied TEXT DEFAULT CURRENT_TIMESTAMP)")
    done = {r[0] for r in conn.execute("SELECT number FROM schema_migrations")}
    legacy = conn.execute("PRAGMA user_version").fetchone()[0]
    if not done and legacy:
        # a workspace from before per-migration tracking: trust user_version
        done = {n for n, _, _ in _migrations() if n <= legacy}
        conn.executemany("INSERT OR IGNORE INTO schema_migrations(number, name) VALUES (?, ?)",
                         [(n, name) for n, name, _ in _migrations() if n in done])
        conn.commit()
    for number, name, sql in _migrations():
        if number in done:
            continue
        try:
            conn.execute("BEGIN IMMEDIATE")
            if conn.execute("SELECT 1 FROM schema_migrations WHERE number=?", (number,)).fetchone():
                conn.execute("ROLLBACK")  # another process applied it meanwhile
                continue
            for stmt in _split_sql(sql):
                conn.execute(stmt)
            conn.execute("INSERT INTO schema_migrations(number, name) VALUES (?, ?)", (number, name))
            conn.execute(f"PRAGMA user_version = {max(number, legacy)}")
            conn.execute("COMMIT")
        except Exception:
            conn.execute("ROLLBACK")
            raise
        legacy = max(number, legacy)
    return legacy


def _split_sql(sql: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements, buf = [], []
    for line in sql.splitlines():
        stripped = line.strip()
        if not buf and (not stripped or stripped.startswith("--")):
            continue
        buf.append(line)
        joined = "\n".join(buf)
        if sqlite3.complete_statement(joined):
            statements.append(joined)
            buf = []
    if buf and "\n".join(buf).strip():
        statements.append("\n".join(buf))
    return statements
