-- Issue 13: an applied plan is a durable job. The job and each of its changes are stored with
-- their state, so that the controller applies change after change (each in its own transaction,
-- which also marks it done), stops at the first failure, and a later run resumes from the first
-- change not done. A job that is a bundle deployment's revision points at it (job_id below).
CREATE TABLE plan_jobs (
  id INTEGER PRIMARY KEY,
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  deployment TEXT NOT NULL DEFAULT '',      -- bundle name; '' for a plan that is no deployment's revision
  bundle_yaml TEXT NOT NULL DEFAULT '',     -- with overlays applied: what a re-run is matched against
  channel TEXT NOT NULL DEFAULT '',
  rollback INTEGER NOT NULL DEFAULT 0,      -- its revision is pending-rollback (not -upgrade) while it runs
  state TEXT NOT NULL,                      -- pending | running | done | failed
  message TEXT NOT NULL DEFAULT '',         -- the failing change's error
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX plan_jobs_by_deployment ON plan_jobs(model_id, deployment, id);

CREATE TABLE plan_changes (
  job_id INTEGER NOT NULL REFERENCES plan_jobs(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,                -- 0, 1, ... the order they are applied in
  change_id TEXT NOT NULL,                  -- Juju's ids: deploy-1, upgradeCharm-2, wait-4 ...
  kind TEXT NOT NULL,                       -- deploy | refresh | set-config | add-units | add-relation | ...
  description TEXT NOT NULL DEFAULT '',
  change_json TEXT NOT NULL,                -- the typed change (controller/domain/plan/change_json.cc)
  charm_sha256 TEXT NOT NULL DEFAULT '',    -- the archive a deploy or refresh needs: the charm store keeps it
  state TEXT NOT NULL DEFAULT 'pending',    -- pending | running | done | failed
  message TEXT NOT NULL DEFAULT '',
  updated_at TEXT NOT NULL,
  PRIMARY KEY (job_id, position)
);

-- What `history` shows of each revision. Revisions written before plans were jobs were applied
-- whole in one transaction: the newest of each deployment is `deployed`, older ones `superseded`.
ALTER TABLE bundle_deployments ADD COLUMN status TEXT NOT NULL DEFAULT 'deployed';
ALTER TABLE bundle_deployments ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE bundle_deployments ADD COLUMN overlays_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE bundle_deployments ADD COLUMN plan_text TEXT NOT NULL DEFAULT '';
ALTER TABLE bundle_deployments ADD COLUMN resolved_json TEXT NOT NULL DEFAULT '';
ALTER TABLE bundle_deployments ADD COLUMN job_id INTEGER REFERENCES plan_jobs(id) ON DELETE SET NULL;
ALTER TABLE bundle_deployments ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
UPDATE bundle_deployments SET updated_at = deployed_at;
UPDATE bundle_deployments SET status = 'superseded'
  WHERE revision < (SELECT MAX(b.revision) FROM bundle_deployments b
                    WHERE b.model_id = bundle_deployments.model_id AND b.bundle = bundle_deployments.bundle);
