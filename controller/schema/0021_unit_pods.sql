-- Issue 16: a Kubernetes model's unit <app>/<n> is the pod <app>-<n>. What the provisioner last
-- saw of that pod (its phase and why it is not running) is kept here, so that a pod event that
-- changes nothing writes nothing and the unit's workload status is only overridden while the pod
-- is not running.
ALTER TABLE units ADD COLUMN pod_status TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN pod_message TEXT NOT NULL DEFAULT '';
