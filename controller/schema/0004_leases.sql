-- Issue 4, leadership leases (juju-semantics §5). Leases themselves live in the controller's
-- memory (domain/lease): a restart gives every current leader a fresh lease. What is durable is
-- how often leadership moved by a lease expiring: unit snapshots add it to the leader settings
-- version, so the non-leaders run leader-settings-changed when a new leader was elected.
ALTER TABLE applications ADD COLUMN leadership_changes INTEGER NOT NULL DEFAULT 0;
