-- An event's uuid identifies it in any letter case (EventIdentity.cs). The writer looks a pushed
-- uuid up through events_uuid, case-insensitively, before it inserts, and it holds the write lock
-- (BEGIN IMMEDIATE) while it does, so no second spelling is ever stored. That one index replaces
-- the exact UNIQUE index of 0001: keeping both would cost every insert a third index. It is not
-- UNIQUE itself, because a store written before this rule may hold both spellings of a uuid, and
-- the history is never edited. SQLite cannot drop a column constraint, so the table is rebuilt
-- (once, on upgrade), keeping every seq and the AUTOINCREMENT high-water mark.
CREATE TABLE events_v2 (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid      TEXT NOT NULL,
    ts_key    INTEGER NOT NULL,
    user_uuid TEXT NOT NULL,
    item_uuid TEXT NOT NULL,
    action    TEXT NOT NULL,
    payload   TEXT NOT NULL
);
INSERT INTO events_v2 (seq, uuid, ts_key, user_uuid, item_uuid, action, payload)
    SELECT seq, uuid, ts_key, user_uuid, item_uuid, action, payload FROM events ORDER BY seq;
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'events_v2', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'events_v2');
UPDATE sqlite_sequence
    SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0))
    WHERE name = 'events_v2';
DROP TABLE events;
ALTER TABLE events_v2 RENAME TO events;
CREATE INDEX events_history_order ON events (ts_key, uuid);
CREATE INDEX events_uuid ON events (uuid COLLATE NOCASE);
