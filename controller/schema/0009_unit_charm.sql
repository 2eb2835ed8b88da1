-- Issue 13: the charm each unit runs (reported with its hook commits) and whether its last move to
-- a new charm skipped upgrade-charm, so that status and plan waits see what really runs.
ALTER TABLE units ADD COLUMN charm_url TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN upgrade_charm_skipped INTEGER NOT NULL DEFAULT 0;
