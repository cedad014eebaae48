-- 010: incremental post-ingest (miner/ingest/post.py). Threading a batch of new messages
-- re-threads only the messages they can influence; these tables find them without reading
-- the corpus. Hashes are 64-bit blake2b of the text (a collision only re-threads a few more).
-- Every Message-ID a message's threading reads (own, In-Reply-To, References) -> message.
CREATE TABLE thread_idx_ids (h INTEGER NOT NULL, msg INTEGER NOT NULL,
                             PRIMARY KEY (h, msg)) WITHOUT ROWID;
-- (list, subject key) of a message at its effective time: what subject joining registers.
CREATE TABLE thread_idx_subj (h INTEGER NOT NULL, ts REAL NOT NULL, msg INTEGER NOT NULL,
                              PRIMARY KEY (h, ts, msg)) WITHOUT ROWID;
-- One row per reply tree top: the (list, subject key) it looked up and when (its first message).
CREATE TABLE thread_idx_look (msg INTEGER PRIMARY KEY, h INTEGER NOT NULL, ts REAL NOT NULL);
CREATE INDEX thread_idx_look_h ON thread_idx_look(h, ts);
