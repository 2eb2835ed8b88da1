-- Issue 14: the uids a machine's unit agents run under (`1879048192-1879113727`, from bootstrap),
-- or empty when they all run as the machine agent's user. Status says so for such a machine.
ALTER TABLE machines ADD COLUMN unit_uids TEXT NOT NULL DEFAULT '';
