-- Sync health (ISyncHealthStore): one row per user and device, and the latest refused events.
-- Both are written in batches and trimmed to a bounded size (SyncHealthLimits). Times are Unix
-- milliseconds; sent_seq is the highest seq the server has sent the device.
CREATE TABLE devices (
    user_uuid  text NOT NULL,
    device     text NOT NULL,
    client     text,
    first_seen bigint NOT NULL,
    last_sync  bigint NOT NULL,
    sent_seq   bigint NOT NULL,
    accepted   bigint NOT NULL,
    rejected   bigint NOT NULL,
    PRIMARY KEY (user_uuid, device)
);
CREATE INDEX devices_last_sync ON devices (last_sync);

-- rule and acl_version name the ACL rule that denied an acl_denied event (rule is null when no
-- rule matched). id grows with every insert, so newest first is id order.
CREATE TABLE rejections (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          bigint NOT NULL,
    user_uuid   text NOT NULL,
    device      text,
    event_uuid  text,
    item_uuid   text,
    action      text,
    reason      text NOT NULL,
    detail      text NOT NULL,
    rule        integer,
    acl_version bigint
);
CREATE INDEX rejections_user ON rejections (user_uuid, id);
