-- Issue 4: what hooks keep besides relation data. Opened ports and charm state change only with
-- a hook's commit (CommitHook); leader settings change at once with leader-set. All go with
-- their unit or application.
CREATE TABLE opened_ports (
  unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
  endpoint TEXT NOT NULL DEFAULT '',       -- '' = every endpoint
  protocol TEXT NOT NULL,                  -- tcp | udp | icmp
  from_port INTEGER NOT NULL,
  to_port INTEGER NOT NULL,
  PRIMARY KEY (unit_id, endpoint, protocol, from_port, to_port)
);

CREATE TABLE unit_state (
  unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (unit_id, key)
);

CREATE TABLE leader_settings (
  application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (application_id, key)
);

-- Bumped by every leader-set that changes something; unit snapshots add it to the leader
-- settings version, so the non-leaders run leader-settings-changed.
ALTER TABLE applications ADD COLUMN leader_settings_version INTEGER NOT NULL DEFAULT 0;
