-- Store identity. 'epoch' is a random id made when the store is created; 'home' names the
-- database it was made in (cluster system identifier and database oid), so a copy restored
-- elsewhere (pg_dump / pg_restore) notices it is a copy and makes itself a new epoch.
CREATE TABLE meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);

-- The authoritative history. seq is the sync cursor, given by the writer that holds the
-- append lock (pg_advisory_xact_lock) as max(seq) + 1, so seqs follow commit order across every
-- server: see PostgresWriter. uuid keeps the spelling first pushed; events_uuid makes it unique
-- in any letter case. COLLATE "C" makes history order (ts_key, uuid) byte order, as in SQLite,
-- whatever the database's locale. ts_key is the timestamp with its top bit flipped (TimestampKey).
CREATE TABLE events (
    seq       bigint PRIMARY KEY,
    uuid      text COLLATE "C" NOT NULL,
    ts_key    bigint NOT NULL,
    user_uuid text NOT NULL,
    item_uuid text NOT NULL,
    action    text NOT NULL,
    payload   text NOT NULL
);
CREATE UNIQUE INDEX events_uuid ON events (lower(uuid));
CREATE INDEX events_history_order ON events (ts_key, uuid);

-- Usernames are unique regardless of case (they are ASCII: UserRules), so 'Alice' and 'alice'
-- cannot both exist. Admin status belongs to the account, so a rename keeps it.
CREATE TABLE users (
    uuid           text PRIMARY KEY,
    username       text NOT NULL,
    password_hash  text NOT NULL,
    security_stamp text NOT NULL,
    created_at     bigint NOT NULL,
    updated_at     bigint NOT NULL,
    admin          boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX users_username ON users (lower(username));

-- The names of auth.admins already used, each once (AdminGrants).
CREATE TABLE admin_grants (
    name       text NOT NULL,
    user_uuid  text NOT NULL,
    granted_at bigint NOT NULL
);
CREATE UNIQUE INDEX admin_grants_name ON admin_grants (lower(name));

-- Every ACL ever set, newest last; the current ACL is the row with the highest version.
CREATE TABLE acl_changes (
    version    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    changed_at bigint NOT NULL,
    changed_by text NOT NULL,
    rules      text NOT NULL
);
