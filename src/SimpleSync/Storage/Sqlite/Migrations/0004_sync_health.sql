-- Sync health (ISyncHealthStore): one row per user and device, and the latest refused events.
-- Both are written in batches and trimmed to a bounded size (SyncHealthLimits). Times are Unix
-- milliseconds; sent_seq is the highest seq the server has sent the device.
CREATE TABLE devices (
    user_uuid  TEXT NOT NULL,
    device     TEXT NOT NULL,
    client     TEXT,
    first_seen INTEGER NOT NULL,
    last_sync  INTEGER NOT NULL,
    sent_seq   INTEGER NOT NULL,
    accepted   INTEGER NOT NULL,
    rejected   INTEGER NOT NULL,
    PRIMARY KEY (user_uuid, device)
) WITHOUT ROWID;
CREATE INDEX devices_last_sync ON devices (last_sync);

-- rule and acl_version name the ACL rule that denied an acl_denied event (rule is null when no
-- rule matched). id grows with every insert, so newest first is id order.
CREATE TABLE rejections (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    user_uuid   TEXT NOT NULL,
    device      TEXT,
    event_uuid  TEXT,
    item_uuid   TEXT,
    action      TEXT,
    reason      TEXT NOT NULL,
    detail      TEXT NOT NULL,
    rule        INTEGER,
    acl_version INTEGER
);
CREATE INDEX rejections_user ON rejections (user_uuid, id);
