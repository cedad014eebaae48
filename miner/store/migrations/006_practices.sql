-- 006: the practices stage (lesson cards). Never rewrites `messages`.
CREATE TABLE practice_seen (
    key TEXT PRIMARY KEY                -- messages whose new text has been classified
);
CREATE TABLE practice_cards (
    card_id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,                 -- good_practice | lesson | recommendation | experience | challenge | resource
    text TEXT NOT NULL,                 -- verbatim span of the message's new text
    message_key TEXT,
    message_id TEXT,
    person_id INTEGER,
    author_name TEXT,
    date TEXT,
    thread_id TEXT,
    context TEXT,                       -- thread subject and the question it answers
    places TEXT,                        -- JSON list
    organisations TEXT,                 -- JSON list
    topic_id INTEGER,
    score REAL
);
CREATE INDEX practice_cards_kind ON practice_cards(kind);
CREATE INDEX practice_cards_person ON practice_cards(person_id);
CREATE TABLE practice_sources (
    card_id INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    PRIMARY KEY (card_id, message_id)
);
