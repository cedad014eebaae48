-- 001: the corpus. Stage tables come in later migrations and never rewrite `messages`.
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,          -- path (or URL, or container!member)
    format TEXT,
    list TEXT,
    size INTEGER,
    mtime REAL,
    sha256 TEXT,
    items INTEGER DEFAULT 0,            -- items seen in the last complete ingest of it
    status TEXT DEFAULT 'new',          -- new | partial | done | error
    error TEXT,
    ingested_at TEXT
);

-- The original bytes of every message (zlib), so nothing a user gave is lost.
CREATE TABLE raw_messages (
    key TEXT PRIMARY KEY,
    source_id INTEGER REFERENCES sources(id),
    "where" TEXT,
    raw BLOB
);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,           -- Message-ID, else "sha1:<content hash>"
    message_id TEXT NOT NULL,           -- as shown to users (Message-ID or the key)
    list TEXT,
    subject TEXT NOT NULL DEFAULT '',
    from_name TEXT NOT NULL DEFAULT '',
    from_email TEXT NOT NULL DEFAULT '',
    date TEXT,                          -- ISO 8601 UTC
    date_source TEXT,
    in_reply_to TEXT,
    refs TEXT,                          -- space-separated Message-IDs
    body TEXT NOT NULL DEFAULT '',      -- decoded body
    text TEXT NOT NULL DEFAULT '',      -- the author's new text
    quoted_text TEXT NOT NULL DEFAULT '',
    signature TEXT NOT NULL DEFAULT '',
    segments TEXT,                      -- JSON [[kind, start, end], ...]
    lang TEXT,
    html INTEGER DEFAULT 0,
    permalink TEXT,
    problems TEXT,                      -- JSON list of repairs made while decoding
    content_hash TEXT,                  -- of normalised (from, subject, new text): digest dedup
    digest_of TEXT,
    source_id INTEGER REFERENCES sources(id),
    "where" TEXT,
    parent_key TEXT,
    thread_id TEXT,
    person_id INTEGER,
    quotes_key TEXT                     -- key of the earlier message the quote comes from
);
CREATE INDEX messages_thread ON messages(thread_id);
CREATE INDEX messages_date ON messages(date);
CREATE INDEX messages_person ON messages(person_id);
CREATE INDEX messages_content ON messages(content_hash);
CREATE INDEX messages_mid ON messages(message_id);

CREATE TABLE quarantine (
    id INTEGER PRIMARY KEY,
    key TEXT UNIQUE,                    -- sha1 of the raw bytes
    source_id INTEGER REFERENCES sources(id),
    "where" TEXT,
    reason TEXT,
    raw BLOB
);

CREATE TABLE threads (
    thread_id TEXT PRIMARY KEY,
    root_key TEXT,
    list TEXT,
    subject TEXT,
    start TEXT,
    "end" TEXT,
    messages INTEGER,
    participants INTEGER
);

CREATE TABLE people (
    person_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT,
    organisation TEXT,
    title TEXT,
    country TEXT,
    evidence_key TEXT,                  -- message whose signature gave title/org/country
    messages INTEGER DEFAULT 0
);

CREATE TABLE aliases (
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    list TEXT NOT NULL DEFAULT '',
    person_id INTEGER,
    messages INTEGER DEFAULT 0,
    PRIMARY KEY (name, email, list)
);

CREATE TABLE merges (
    id INTEGER PRIMARY KEY,
    a TEXT, b TEXT, reason TEXT,
    forced INTEGER DEFAULT 0            -- 1: user merge; -1: user split (never merge)
);

CREATE TABLE attachments (
    key TEXT NOT NULL,
    filename TEXT,
    content_type TEXT,
    size INTEGER
);
CREATE INDEX attachments_key ON attachments(key);

CREATE TABLE links (
    key TEXT NOT NULL,
    url TEXT NOT NULL
);
CREATE INDEX links_key ON links(key);

CREATE TABLE footers (
    list TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (list, text)
);

CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    stage TEXT NOT NULL,
    started TEXT,
    finished TEXT,
    status TEXT,
    report TEXT
);

CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT
);

-- Full-text index over subject and new text (external content: stored once).
CREATE VIRTUAL TABLE messages_fts USING fts5(
    subject, text, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, subject, text) VALUES (new.id, new.subject, new.text);
END;
CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, subject, text) VALUES ('delete', old.id, old.subject, old.text);
END;
CREATE TRIGGER messages_au AFTER UPDATE OF subject, text ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, subject, text) VALUES ('delete', old.id, old.subject, old.text);
    INSERT INTO messages_fts(rowid, subject, text) VALUES (new.id, new.subject, new.text);
END;
