-- The walking-skeleton schema: controller, models, machines, charms, applications, units,
-- relations with their scopes and bags, the change log and the debug log.
-- Life columns hold 0 alive, 1 dying (skein.v1.Life); dead rows are deleted.

CREATE TABLE controller (
  id INTEGER PRIMARY KEY CHECK (id = 0),
  uuid TEXT NOT NULL,
  name TEXT NOT NULL,
  admin_credential_hash TEXT NOT NULL
);

CREATE TABLE models (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  uuid TEXT NOT NULL UNIQUE,
  config_json TEXT NOT NULL DEFAULT '{}',
  -- Relation ids are model-wide, start at 0 and are never reused (juju-semantics §4).
  next_relation_id INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);

CREATE TABLE machines (
  id TEXT PRIMARY KEY,
  hostname TEXT NOT NULL,
  address TEXT NOT NULL,
  credential_hash TEXT NOT NULL,
  agent_seen INTEGER NOT NULL DEFAULT 0,
  agent_since TEXT NOT NULL DEFAULT ''
);

CREATE TABLE charms (
  id INTEGER PRIMARY KEY,
  model_id INTEGER NOT NULL REFERENCES models(id),
  url TEXT NOT NULL,
  name TEXT NOT NULL,
  origin TEXT NOT NULL,
  revision INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  archive BLOB NOT NULL,
  metadata_yaml TEXT NOT NULL,
  config_yaml TEXT NOT NULL,
  actions_yaml TEXT NOT NULL,
  UNIQUE (model_id, url)
);

CREATE TABLE applications (
  id INTEGER PRIMARY KEY,
  model_id INTEGER NOT NULL REFERENCES models(id),
  name TEXT NOT NULL,
  charm_id INTEGER NOT NULL REFERENCES charms(id),
  charm_origin TEXT NOT NULL,
  channel TEXT NOT NULL DEFAULT '',
  -- The user's settings only (JSON object); defaults come from the charm's config.yaml.
  config_json TEXT NOT NULL DEFAULT '{}',
  life INTEGER NOT NULL DEFAULT 0,
  leader_unit TEXT,
  next_unit_number INTEGER NOT NULL DEFAULT 0,
  -- Set by the leader with `status-set --application`; empty = derived from the units.
  status TEXT NOT NULL DEFAULT '',
  status_message TEXT NOT NULL DEFAULT '',
  status_data TEXT NOT NULL DEFAULT '',
  status_since TEXT NOT NULL DEFAULT '',
  UNIQUE (model_id, name)
);

CREATE TABLE units (
  id INTEGER PRIMARY KEY,
  model_id INTEGER NOT NULL REFERENCES models(id),
  application_id INTEGER NOT NULL REFERENCES applications(id),
  name TEXT NOT NULL,
  number INTEGER NOT NULL,
  machine_id TEXT NOT NULL REFERENCES machines(id),
  life INTEGER NOT NULL DEFAULT 0,
  credential_hash TEXT NOT NULL DEFAULT '',
  agent_status TEXT NOT NULL,
  agent_message TEXT NOT NULL DEFAULT '',
  agent_data TEXT NOT NULL DEFAULT '',
  agent_since TEXT NOT NULL,
  workload_status TEXT NOT NULL,
  workload_message TEXT NOT NULL DEFAULT '',
  workload_data TEXT NOT NULL DEFAULT '',
  workload_since TEXT NOT NULL,
  workload_version TEXT NOT NULL DEFAULT '',
  -- The highest CommitHook sequence number applied (CommitHook is idempotent by it).
  last_commit_seq INTEGER NOT NULL DEFAULT 0,
  UNIQUE (model_id, name),
  UNIQUE (application_id, number)
);
CREATE INDEX units_by_name ON units(name);
CREATE INDEX units_by_machine ON units(machine_id);

CREATE TABLE relations (
  id INTEGER PRIMARY KEY,
  model_id INTEGER NOT NULL REFERENCES models(id),
  relation_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  interface TEXT NOT NULL,
  is_peer INTEGER NOT NULL,
  life INTEGER NOT NULL DEFAULT 0,
  UNIQUE (model_id, relation_id),
  UNIQUE (model_id, key)
);

-- Two rows per regular relation, one per peer relation.
CREATE TABLE relation_endpoints (
  relation_id INTEGER NOT NULL REFERENCES relations(id) ON DELETE CASCADE,
  application_id INTEGER NOT NULL REFERENCES applications(id),
  endpoint TEXT NOT NULL,
  role TEXT NOT NULL,
  interface TEXT NOT NULL,
  scope TEXT NOT NULL,
  PRIMARY KEY (relation_id, application_id, endpoint)
);
CREATE INDEX relation_endpoints_by_app ON relation_endpoints(application_id);

CREATE TABLE relation_scopes (
  relation_id INTEGER NOT NULL REFERENCES relations(id) ON DELETE CASCADE,
  unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
  PRIMARY KEY (relation_id, unit_id)
);
CREATE INDEX relation_scopes_by_unit ON relation_scopes(unit_id);

-- Bags are keyed by owner name, not unit id: a departed unit's bag stays readable for as long
-- as the relation exists (juju-semantics §4).
CREATE TABLE relation_bags (
  relation_id INTEGER NOT NULL REFERENCES relations(id) ON DELETE CASCADE,
  owner TEXT NOT NULL,
  is_app INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (relation_id, owner, is_app)
);

CREATE TABLE relation_settings (
  relation_id INTEGER NOT NULL,
  owner TEXT NOT NULL,
  is_app INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (relation_id, owner, is_app, key),
  FOREIGN KEY (relation_id, owner, is_app)
    REFERENCES relation_bags(relation_id, owner, is_app) ON DELETE CASCADE
);

-- One row per durable change; its seq versions the snapshots sent to agents.
CREATE TABLE change_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  model_id INTEGER,
  kind TEXT NOT NULL,
  entity TEXT NOT NULL,
  op TEXT NOT NULL,
  at TEXT NOT NULL
);

CREATE TABLE log_entries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  model_id INTEGER,
  entity TEXT NOT NULL,
  ts TEXT NOT NULL,
  level TEXT NOT NULL,
  module TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX log_entries_by_model ON log_entries(model_id, seq);
