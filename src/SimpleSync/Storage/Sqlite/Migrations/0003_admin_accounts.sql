-- Admin status belongs to the account, so a rename keeps it and a new account under an old name
-- does not inherit it. The names of auth.admins grant it (AdminGrants): each name once, recorded
-- here, to the first account that holds it when the server starts or when it is created.
ALTER TABLE users ADD COLUMN admin INTEGER NOT NULL DEFAULT 0;

CREATE TABLE admin_grants (
    name       TEXT PRIMARY KEY COLLATE NOCASE,
    user_uuid  TEXT NOT NULL,
    granted_at INTEGER NOT NULL
) WITHOUT ROWID;
