-- Issue 15: storage instances, `<name>/<n>` as Juju names them (numbered per model, across
-- storage names), each a directory on the unit's machine. An instance outlives its unit: when the
-- unit goes it is detached and kept (unit_id NULL) for `add-unit --attach-storage`, unless the
-- removal asked for --destroy-storage (life 1, dying), which deletes it with the unit.
ALTER TABLE models ADD COLUMN next_storage_number INTEGER NOT NULL DEFAULT 0;

-- `deploy --storage name=directive`, kept for the units added later (JSON: name -> {pool, count,
-- size_mib}).
ALTER TABLE applications ADD COLUMN storage_directives TEXT NOT NULL DEFAULT '{}';

CREATE TABLE storage_instances (
  id INTEGER PRIMARY KEY,
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  storage_name TEXT NOT NULL,
  number INTEGER NOT NULL,
  kind TEXT NOT NULL,                  -- filesystem | block
  pool TEXT NOT NULL,
  size_mib INTEGER NOT NULL DEFAULT 0,
  -- The application whose unit it was made for: a detached instance is attached again only to
  -- a unit of an application that declares the same storage name.
  owner_application TEXT NOT NULL,
  unit_id INTEGER REFERENCES units(id) ON DELETE SET NULL,
  life INTEGER NOT NULL DEFAULT 0,
  -- Set by the unit's agent once `<name>-storage-attached` ran: where the directory is.
  attached INTEGER NOT NULL DEFAULT 0,
  location TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  UNIQUE (model_id, number)
);
CREATE INDEX storage_by_unit ON storage_instances(unit_id);

-- Models destroyed with --destroy-storage, by uuid: the rows outlive the model, so that the
-- machine agents remove what is left of its storage directories (detached instances) after the
-- model is gone (MachineSnapshot.storage_destroyed_models).
CREATE TABLE destroyed_model_storage (
  model_uuid TEXT PRIMARY KEY,
  destroyed_at TEXT NOT NULL
);
