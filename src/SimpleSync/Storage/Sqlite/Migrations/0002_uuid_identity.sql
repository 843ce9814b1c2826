-- An event's uuid identifies it in any letter case (EventIdentity.cs). The writer looks a pushed
-- uuid up through this index before it inserts, under the write lock, so no second spelling is
-- ever stored. Not UNIQUE: a store written before this rule may hold both spellings of a uuid,
-- and the history is never edited.
CREATE INDEX events_uuid_nocase ON events (uuid COLLATE NOCASE);
