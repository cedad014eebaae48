-- 008: facilitator edits of consolidated replies (summary stage), keyed by thread id.
-- edits: JSON {"order": [theme keys], "rename": {key: label}, "drop_themes": [keys],
--              "drop_points": [[message_id, text], ...]}
CREATE TABLE IF NOT EXISTS summary_edits (
    thread_id TEXT PRIMARY KEY,
    edits TEXT NOT NULL,
    updated TEXT
);
