-- The charm's own workload status while the provisioner shows a pod's trouble in its place
-- (controller/provisioner/application_pods.cc), given back when the pod runs again: a pod the
-- StatefulSet recreated must not leave its unit waiting for a hook that would set it again.
ALTER TABLE units ADD COLUMN saved_workload_status TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN saved_workload_message TEXT NOT NULL DEFAULT '';
