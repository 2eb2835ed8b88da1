-- Issue 15: machines added with `add-machine` belong to the model they were added in (its status
-- lists them even before a unit is placed there); 0 marks the host's machine 0 that every model
-- shares. Their constraints are kept as given, for `machines` and status.
ALTER TABLE machines ADD COLUMN model_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE machines ADD COLUMN constraints TEXT NOT NULL DEFAULT '';

-- `add-ssh-key`: the keys Juju keeps in the model's `authorized-keys`, one row per key.
CREATE TABLE ssh_keys (
  model_id INTEGER NOT NULL,
  fingerprint TEXT NOT NULL,
  comment TEXT NOT NULL,
  key TEXT NOT NULL,
  PRIMARY KEY (model_id, fingerprint)
);
