-- Issue 4, errors and model config (juju-semantics §1.7-§1.8).
-- Model config lives in models.config_json (0001): only the keys the user set, as JSON strings;
-- Juju's defaults are applied when it is read (domain/model/model_config.cc).
-- A `skein resolved` request waiting for the unit's agent: mode '' (none), 'retry' or
-- 'no-retry'; the serial grows with every request so the agent acts on each one once and
-- clears exactly the one it handled.
ALTER TABLE units ADD COLUMN resolve_mode TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN resolve_serial INTEGER NOT NULL DEFAULT 0;
