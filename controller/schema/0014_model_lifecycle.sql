-- Issue 15: models die and carry constraints. `life` is 0 alive, 1 dying (skein.v1.Life), as for
-- applications: destroy-model marks the model and everything in it dying, the units run their
-- dying hooks, and the model row goes (with what it holds) once its last application is gone.
-- `constraints` holds the model's constraints in their canonical `key=value ...` text
-- (lib/base/constraints.h); empty when none are set.
ALTER TABLE models ADD COLUMN life INTEGER NOT NULL DEFAULT 0;
ALTER TABLE models ADD COLUMN constraints TEXT NOT NULL DEFAULT '';
