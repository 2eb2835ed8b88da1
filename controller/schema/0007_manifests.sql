-- Issue 6: the local substrate (DESIGN §9). Kubernetes objects applied in a model, kept exactly
-- as they would be applied. A charm's application owns the objects it applies, grouped in named
-- sets that it replaces as a whole; the user's own objects (`skein apply`) have owner '' and set
-- 'user'. A row with target_namespace_label set is a decoration: it is attached, at read time,
-- to every Namespace object whose label of that name is "true".
CREATE TABLE manifests (
  id INTEGER PRIMARY KEY,
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  owner TEXT NOT NULL,                              -- application name; '' = the user
  set_name TEXT NOT NULL,
  namespace TEXT NOT NULL DEFAULT '',               -- '' = cluster-scoped (or a decoration)
  target_namespace_label TEXT NOT NULL DEFAULT '',  -- '' unless a decoration
  api_version TEXT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  content_json TEXT NOT NULL,                       -- the whole object, metadata.namespace filled in
  -- One object per identity in a model, whoever owns it: a second owner is refused.
  UNIQUE (model_id, namespace, kind, name, target_namespace_label)
);
CREATE INDEX manifests_by_owner ON manifests (model_id, owner, set_name);
