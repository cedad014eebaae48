-- 004: topics (miner.stages.topics). Ids are stable across runs: a new run's clusters are
-- aligned to the previous run's by centroid cosine; facilitators' edits are replayed after
-- every run.
CREATE TABLE topics (
    topic_id INTEGER PRIMARY KEY,
    auto_label TEXT NOT NULL DEFAULT '',    -- from c-TF-IDF refined with MMR
    label TEXT NOT NULL DEFAULT '',         -- auto_label, or the facilitator's rename
    keywords TEXT NOT NULL DEFAULT '[]',    -- JSON list, best first
    size INTEGER NOT NULL DEFAULT 0,        -- messages (after merges)
    threads INTEGER NOT NULL DEFAULT 0,
    first_seen TEXT,
    last_seen TEXT,
    centroid BLOB,                          -- float32, L2-normalised mean of member vectors
    model TEXT,                             -- embedding model the centroid lives in
    active INTEGER NOT NULL DEFAULT 1,      -- 0: not found by the last run (id kept, never reused)
    merged_into INTEGER,                    -- set when a facilitator merged it into another topic
    run_id INTEGER
);

-- One row per message of new text; topic -1 = outlier.
CREATE TABLE message_topics (
    key TEXT PRIMARY KEY,
    auto_topic INTEGER NOT NULL,            -- what the model said
    topic_id INTEGER NOT NULL,              -- after facilitators' merges
    score REAL                              -- cosine to the topic centroid
);
CREATE INDEX message_topics_topic ON message_topics(topic_id);

-- A thread's topics are its messages' topics, with shares summing to 1 over non-outliers.
CREATE TABLE thread_topics (
    thread_id TEXT NOT NULL,
    topic_id INTEGER NOT NULL,
    messages INTEGER NOT NULL,
    share REAL NOT NULL,
    PRIMARY KEY (thread_id, topic_id)
);
CREATE INDEX thread_topics_topic ON thread_topics(topic_id);

-- Topics over time and per list: messages per (topic, month, list).
CREATE TABLE topic_time (
    topic_id INTEGER NOT NULL,
    period TEXT NOT NULL,                   -- YYYY-MM
    list TEXT NOT NULL DEFAULT '',
    messages INTEGER NOT NULL,
    threads INTEGER NOT NULL,
    PRIMARY KEY (topic_id, period, list)
);

-- Facilitators' renames and merges, replayed in order after every run.
CREATE TABLE topic_edits (
    id INTEGER PRIMARY KEY,
    action TEXT NOT NULL CHECK (action IN ('rename', 'merge')),
    topic_id INTEGER NOT NULL,              -- renamed topic, or the merge target
    others TEXT,                            -- merge: JSON list of topic ids merged into topic_id
    label TEXT,                             -- rename: the new label
    created TEXT
);
