-- 009: ingest speed. The ingest writer indexes full text in bulk, once per stored batch,
-- instead of once per row: while it holds a row in `fts_deferred` (only ever inside its own
-- write transaction, so no other connection sees it and a crash rolls it back) the insert
-- trigger stands aside. Every other writer keeps the per-row trigger as before.
CREATE TABLE fts_deferred (flag INTEGER);
DROP TRIGGER messages_ai;
CREATE TRIGGER messages_ai AFTER INSERT ON messages WHEN NOT EXISTS (SELECT 1 FROM fts_deferred) BEGIN
    INSERT INTO messages_fts(rowid, subject, text) VALUES (new.id, new.subject, new.text);
END;
-- "are there digest parts at all?" is asked per batch: answer it from a tiny partial index.
CREATE INDEX messages_digest ON messages(digest_of) WHERE digest_of IS NOT NULL;
