#!/usr/bin/env python3
"""The recorder charm written with ops: the same log lines as tests/testdata/charms/recorder.

Every event ops can emit for this charm is observed, because ops runs no handler (and so records
nothing) for an event the charm does not observe. The hook name is rebuilt from the ops event kind
(source_relation_joined -> source-relation-joined, echo_action -> action:echo) and the relation
fields come from ops' event objects, not from the environment, so the line shows what ops saw.
"""

import os

import ops


def _line_fields(event):
    remote_unit = remote_app = relation_id = departing = ""
    if isinstance(event, ops.RelationEvent):
        remote_unit = event.unit.name if event.unit else ""
        remote_app = event.app.name if event.app else ""
        relation_id = f"{event.relation.name}:{event.relation.id}"
    if isinstance(event, ops.RelationDepartedEvent) and event.departing_unit:
        departing = event.departing_unit.name
    return remote_unit, remote_app, relation_id, departing


class RecorderCharm(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        for name, bound in self.on.events().items():
            # collect-status events are ops' own bookkeeping, not hooks; `nothing` is the action
            # deliberately left without a handler.
            if name.startswith("collect_") or name == "nothing_action":
                continue
            self.framework.observe(bound, self._record)

    def _record(self, event):
        kind = event.handle.kind
        if kind.endswith("_action"):
            name = "action:" + kind[: -len("_action")].replace("_", "-")
        else:
            name = kind.replace("_", "-")
        remote_unit, remote_app, relation_id, departing = _line_fields(event)
        members = ""
        if isinstance(event, ops.RelationEvent) and not isinstance(event, ops.RelationBrokenEvent):
            members = ",".join(sorted(u.name for u in event.relation.units))
        leader = "true" if self.unit.is_leader() else "false"
        log = self.config.get("log-path", "")
        if log:
            with open(log, "a") as f:
                f.write(
                    f"{self.unit.name} {name} JUJU_REMOTE_UNIT={remote_unit} JUJU_REMOTE_APP={remote_app}"
                    f" JUJU_RELATION_ID={relation_id} JUJU_DEPARTING_UNIT={departing}"
                    f" leader={leader} members={members}\n"
                )

        if name == "action:echo":
            event.set_results({"echoed": event.params["message"]})
        elif name == "action:explode":
            event.fail("exploded on purpose")

        fail_on = self.config.get("fail-on", "")
        if fail_on and name == fail_on:
            flag = self.config.get("fail-flag", "")
            if not flag or os.path.exists(flag):
                raise RuntimeError(f"failing {name} on purpose")


if __name__ == "__main__":
    ops.main(RecorderCharm)
