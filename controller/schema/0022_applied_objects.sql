-- Issue 16: what the manifests reconciler (controller/provisioner/manifests_reconciler.h) has
-- applied to a Kubernetes model's cluster, so that an object no longer sent is deleted there
-- even after a controller restart. One row per object on the cluster: a decoration has one row
-- per namespace it was copied into.
CREATE TABLE applied_objects (
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  namespace TEXT NOT NULL,       -- '' for cluster-scoped objects
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  api_version TEXT NOT NULL,
  field_manager TEXT NOT NULL,   -- skein-<app>, or skein-user for the user's objects
  PRIMARY KEY (model_id, namespace, kind, name)
);

-- The cluster's namespaces that carry a label some decoration of the model targets, with their
-- labels, as the reconciler's Namespace watch last saw them: `skein manifests` expands the
-- decorations into these as well as into the Namespace objects skein itself holds.
CREATE TABLE cluster_namespaces (
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  labels_json TEXT NOT NULL,
  PRIMARY KEY (model_id, name)
);
