-- Issue 13: which bundle deployment created an application (empty: deployed by hand), and which of
-- its settings a bundle set rather than the user (`skein config`). A bundle upgrade changes only
-- settings a bundle set, and `--prune` or a rollback removes only applications its deployment created.
ALTER TABLE applications ADD COLUMN deployment TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN bundle_set_options TEXT NOT NULL DEFAULT '[]';
