-- Issue 11: charm content leaves the database. A charm's archive (the zip, as `charmcraft pack`
-- makes it) lives in the controller's content-addressed charm store,
-- <data>/charms/<sha256>.charm, named by the `sha256` column; a row keeps the metadata, the
-- digest and the archive's size. `archive` stays (migrations cannot drop what older rows still
-- hold): new rows store an empty blob, and the controller moves the archives of rows written
-- before this migration into the store when it starts, emptying them.
ALTER TABLE charms ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
