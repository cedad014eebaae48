-- 002: archives fetched by URL (miner ingest https://…), for incremental, resumable crawls.
CREATE TABLE IF NOT EXISTS fetched (
    url TEXT PRIMARY KEY,
    list_url TEXT,
    path TEXT NOT NULL,                 -- local copy under WORKSPACE/downloads/
    etag TEXT,
    last_modified TEXT,
    size INTEGER,
    status TEXT NOT NULL DEFAULT 'done', -- done | error
    error TEXT,
    fetched_at TEXT
);
