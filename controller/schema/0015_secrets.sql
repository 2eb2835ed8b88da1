-- Issue 15: secrets (juju-semantics §3.3, §11). A secret belongs to a model and is owned by an
-- application, a unit, or the model itself (a user secret, `add-secret`). Content lives per
-- revision, encrypted with the controller's key (domain/secret/cipher.h): the database alone
-- never reveals it.
CREATE TABLE secrets (
  id INTEGER PRIMARY KEY,
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  secret_id TEXT NOT NULL,           -- the 20-character xid of `secret:<id>`
  owner_kind TEXT NOT NULL,          -- application | unit | model
  owner TEXT NOT NULL,               -- the application or unit name; '' for the model
  name TEXT NOT NULL DEFAULT '',     -- user secrets only
  label TEXT NOT NULL DEFAULT '',    -- the owner's label
  description TEXT NOT NULL DEFAULT '',
  rotate_policy TEXT NOT NULL DEFAULT '',
  next_rotate TEXT NOT NULL DEFAULT '',
  auto_prune INTEGER NOT NULL DEFAULT 0,
  latest_revision INTEGER NOT NULL,
  created TEXT NOT NULL,
  updated TEXT NOT NULL,
  UNIQUE (model_id, secret_id)
);
CREATE INDEX secrets_by_owner ON secrets(model_id, owner_kind, owner);

CREATE TABLE secret_revisions (
  secret_row INTEGER NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
  revision INTEGER NOT NULL,
  nonce BLOB NOT NULL,               -- 12 random bytes, one per revision
  sealed BLOB NOT NULL,              -- AES-256-GCM ciphertext followed by its 16-byte tag
  checksum TEXT NOT NULL,            -- SHA-256 of the content, to tell an unchanged secret-set
  expire TEXT NOT NULL DEFAULT '',
  expired_notified INTEGER NOT NULL DEFAULT 0,
  created TEXT NOT NULL,
  updated TEXT NOT NULL,
  PRIMARY KEY (secret_row, revision)
);

-- A unit that read the secret: the revision it tracks (`--peek` reads the latest without moving
-- it, `--refresh` moves it) and its own label for it.
CREATE TABLE secret_consumers (
  secret_row INTEGER NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
  consumer TEXT NOT NULL,            -- unit name
  label TEXT NOT NULL DEFAULT '',
  current_revision INTEGER NOT NULL,
  PRIMARY KEY (secret_row, consumer)
);

-- Who may read a secret besides its owner: an application or a unit, over a relation (the
-- owner's grant, ended with the relation) or model-wide (`grant-secret`, relation_id -1).
CREATE TABLE secret_grants (
  secret_row INTEGER NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
  subject_kind TEXT NOT NULL,        -- application | unit
  subject TEXT NOT NULL,
  relation_id INTEGER NOT NULL,
  PRIMARY KEY (secret_row, subject_kind, subject)
);
