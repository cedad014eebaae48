-- 003: embeddings (stage `embeddings`). Vectors are float16 little-endian BLOBs.
-- `embeddings` is the text cache: one vector per (model, content hash of the exact text
-- embedded), so a text is embedded once ever, whichever message or query it came from.
CREATE TABLE embeddings (
    model TEXT NOT NULL,
    hash TEXT NOT NULL,                 -- sha1 of the embedded text (UTF-8)
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,               -- float16, L2-normalised
    PRIMARY KEY (model, hash)
) WITHOUT ROWID;

-- How each message's new text was cut for a model; a message vector is the mean of its chunks.
CREATE TABLE message_chunks (
    message_key TEXT NOT NULL,          -- messages.key
    model TEXT NOT NULL,
    chunk INTEGER NOT NULL,             -- 0, 1, ... (chunk 0 carries the subject)
    start INTEGER NOT NULL,             -- offsets of the chunk in messages.text
    "end" INTEGER NOT NULL,
    hash TEXT NOT NULL,                 -- embeddings.hash of the chunk's text
    source_hash TEXT NOT NULL,          -- sha1 of (subject, text): re-chunk when it changes
    PRIMARY KEY (message_key, model, chunk)
);
CREATE INDEX message_chunks_model ON message_chunks(model, chunk);

-- Document frequencies of the full-text index (search keeps the rarest terms of long queries).
CREATE VIRTUAL TABLE messages_fts_vocab USING fts5vocab(messages_fts, 'row');
