-- Issue 15: charm resources. Every upload is a new revision of one application's resource; the
-- latest is what `resource-get` hands out. Content sits in the row: resources are bounded by the
-- controller's request limit, a revision's row and its content commit together, and a removed
-- application (or model) takes its resources with it.
CREATE TABLE resources (
  application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  revision INTEGER NOT NULL,
  type TEXT NOT NULL,                -- file | oci-image
  size INTEGER NOT NULL,
  fingerprint TEXT NOT NULL,         -- SHA-384 of the content, hex
  content BLOB NOT NULL,             -- the file, or the image reference
  created TEXT NOT NULL,             -- RFC 3339
  PRIMARY KEY (application_id, name, revision)
);
