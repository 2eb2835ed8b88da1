-- Issue 13: the application's last refresh asked for `--force-units`. Its units in error take the
-- new charm without leaving the error, and their upgrade-charm counts as skipped (Juju's
-- ForceCharmUpgrade). Every refresh sets it again.
ALTER TABLE applications ADD COLUMN force_charm_upgrade INTEGER NOT NULL DEFAULT 0;
