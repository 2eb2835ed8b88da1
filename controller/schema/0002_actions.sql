-- Actions (issue 4): an operation groups the tasks one `skein run` created, one per unit.
-- Operation and task ids share one model-wide counter and are shown as numeric strings, as in
-- Juju 3 (operation 1, tasks 2, 3, ...).

ALTER TABLE models ADD COLUMN next_action_id INTEGER NOT NULL DEFAULT 1;

CREATE TABLE operations (
  model_id INTEGER NOT NULL REFERENCES models(id),
  id INTEGER NOT NULL,
  action TEXT NOT NULL,
  enqueued TEXT NOT NULL,
  PRIMARY KEY (model_id, id)
);

CREATE TABLE tasks (
  model_id INTEGER NOT NULL REFERENCES models(id),
  id INTEGER NOT NULL,
  operation_id INTEGER NOT NULL,
  -- Unit name, not row: a task stays readable after its unit is removed.
  unit TEXT NOT NULL,
  action TEXT NOT NULL,
  params_json TEXT NOT NULL,
  parallel INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL,            -- pending | running | completed | failed
  message TEXT NOT NULL DEFAULT '',
  results_json TEXT NOT NULL DEFAULT '{}',
  enqueued TEXT NOT NULL,
  started TEXT NOT NULL DEFAULT '',
  completed TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (model_id, id)
);
CREATE INDEX tasks_by_unit ON tasks(model_id, unit, status);

CREATE TABLE task_logs (
  model_id INTEGER NOT NULL,
  task_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  timestamp TEXT NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (model_id, task_id, seq)
);
