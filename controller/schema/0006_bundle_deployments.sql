-- Issue 5: every bundle deploy is recorded as the next revision of that bundle's deployment in
-- the model (the history later issues roll back to).
CREATE TABLE bundle_deployments (
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  bundle TEXT NOT NULL,
  revision INTEGER NOT NULL,          -- 1, 2, ... per (model, bundle)
  channel TEXT NOT NULL DEFAULT '',
  store_revision INTEGER NOT NULL DEFAULT 0,
  bundle_yaml TEXT NOT NULL,
  deployed_at TEXT NOT NULL,
  PRIMARY KEY (model_id, bundle, revision)
);
