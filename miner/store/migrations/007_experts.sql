-- 007: the experts stage. Recomputed as a whole on each run (cheap: no model involved).
CREATE TABLE expert_answers (
    key TEXT PRIMARY KEY,               -- the answer message
    message_id TEXT,
    person_id INTEGER,
    thread_id TEXT,
    date TEXT,
    weight REAL,                        -- reception x recency
    thanked INTEGER,
    replies INTEGER,
    quoted INTEGER,
    topic_id INTEGER
);
CREATE INDEX expert_answers_person ON expert_answers(person_id);
CREATE TABLE expert_scores (
    person_id INTEGER NOT NULL,
    topic_id INTEGER NOT NULL,          -- -1: overall
    score REAL,
    answers INTEGER,
    threads INTEGER,
    evidence TEXT,                      -- JSON list of message ids, best first
    PRIMARY KEY (person_id, topic_id)
);
