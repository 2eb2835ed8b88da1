-- Issue 16: Kubernetes clouds (`skein add-k8s`). A cloud row holds what may be shown (its name,
-- type and API server address); the credential lives in the controller's data directory as
-- clouds/<name>.kubeconfig with mode 0600, never in the database (backups and `sqlite3` dumps
-- would show it). The local substrate is the cloud `localhost`, which has no row.
CREATE TABLE clouds (
  name TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  created_at TEXT NOT NULL
);

-- The cloud a model lives on: `localhost` (machines on the controller's host) unless it was
-- added on a Kubernetes cloud, whose namespace is then named after the model.
ALTER TABLE models ADD COLUMN cloud TEXT NOT NULL DEFAULT 'localhost';
