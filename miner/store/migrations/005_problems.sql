-- 005: recurring problems (miner.stages.problems).
-- Messages that pose a problem or a question, with the sentences that do.
CREATE TABLE question_messages (
    key TEXT PRIMARY KEY,
    score REAL NOT NULL,                    -- classifier probability of the best sentence
    question TEXT NOT NULL,                 -- subject + question sentences (what was embedded)
    starter INTEGER NOT NULL DEFAULT 0,     -- 1: the thread's first message
    problem_id INTEGER
);
CREATE INDEX question_messages_problem ON question_messages(problem_id);

CREATE TABLE problems (
    problem_id INTEGER PRIMARY KEY,
    question TEXT NOT NULL,                 -- canonical: the most central phrasing
    canonical_key TEXT,
    count INTEGER NOT NULL,                 -- distinct threads that asked it
    messages INTEGER NOT NULL,
    people INTEGER NOT NULL,
    first_seen TEXT,
    last_seen TEXT
);

CREATE TABLE problem_threads (
    problem_id INTEGER NOT NULL,
    thread_id TEXT NOT NULL,
    PRIMARY KEY (problem_id, thread_id)
);
CREATE INDEX problem_threads_thread ON problem_threads(thread_id);

-- Best answers: replies the asker thanked, that others quoted, or from high-ranked experts.
CREATE TABLE problem_answers (
    problem_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    score REAL NOT NULL,
    reasons TEXT NOT NULL,                  -- JSON list: "thanked", "quoted", "expert"
    PRIMARY KEY (problem_id, key)
);
