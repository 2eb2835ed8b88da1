-- Issue 15: `skein trust <app>` and `deploy --trust`. A trusted application's units may read the
-- cloud credential (credential-get); on Kubernetes it gets the wider cluster roles.
ALTER TABLE applications ADD COLUMN trust INTEGER NOT NULL DEFAULT 0;
