-- Store identity: 'epoch' is a random id made when the store is created (a restored backup gets a new one).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- The authoritative history. seq is the sync cursor: AUTOINCREMENT so a seq is never reused,
-- even after the highest row is gone. ts_key is the timestamp with its top bit flipped (see
-- TimestampKey.cs) so that signed integer order is unsigned timestamp order.
CREATE TABLE events (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid      TEXT NOT NULL UNIQUE,
    ts_key    INTEGER NOT NULL,
    user_uuid TEXT NOT NULL,
    item_uuid TEXT NOT NULL,
    action    TEXT NOT NULL,
    payload   TEXT NOT NULL
);
CREATE INDEX events_history_order ON events (ts_key, uuid);

-- Usernames are unique regardless of case so that 'Alice' and 'alice' cannot both exist.
CREATE TABLE users (
    uuid           TEXT PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash  TEXT NOT NULL,
    security_stamp TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) WITHOUT ROWID;

-- Every ACL ever set, newest last; the current ACL is the row with the highest version.
CREATE TABLE acl_changes (
    version    INTEGER PRIMARY KEY AUTOINCREMENT,
    changed_at INTEGER NOT NULL,
    changed_by TEXT NOT NULL,
    rules      TEXT NOT NULL
);
