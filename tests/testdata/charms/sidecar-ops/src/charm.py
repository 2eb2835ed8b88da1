#!/usr/bin/env python3
"""A sidecar ops charm with one workload container, `web` (skein's Pebble tests, issue 16).

On web-pebble-ready it adds a layer with one service and replans. Its status says what it saw,
for the tests to read: `ready=<n> connect=<bool> service=<state> notices=<keys> checks=<events>`,
active once the container answers and the service runs.
"""

import logging

import ops

logger = logging.getLogger(__name__)

LAYER = {
    "summary": "sidecar test layer",
    "services": {
        "srv": {
            "override": "replace",
            "summary": "a long sleep standing in for a server",
            "command": "sleep 86400",
            "startup": "enabled",
        }
    },
}


class SidecarCharm(ops.CharmBase):
    _stored = ops.StoredState()

    def __init__(self, framework):
        super().__init__(framework)
        self._stored.set_default(ready=0, notices="", checks="")
        framework.observe(self.on.web_pebble_ready, self._on_ready)
        framework.observe(self.on.web_pebble_custom_notice, self._on_notice)
        if hasattr(self.on, "web_pebble_check_failed"):  # ops >= 2.15
            framework.observe(self.on.web_pebble_check_failed, self._on_check)
            framework.observe(self.on.web_pebble_check_recovered, self._on_check)
        framework.observe(self.on.create_configmap_action, self._on_create_configmap)
        framework.observe(self.on.collect_unit_status, self._on_collect_status)

    def _on_ready(self, event):
        container = event.workload
        logger.info("pebble-ready for %s (JUJU_WORKLOAD_NAME=%s)", container.name, container.name)
        container.add_layer("sidecar", LAYER, combine=True)
        container.replan()
        self._stored.ready += 1

    def _on_notice(self, event):
        logger.info("custom notice id=%s type=%s key=%s", event.notice.id, event.notice.type, event.notice.key)
        keys = [k for k in self._stored.notices.split(",") if k]
        keys.append(event.notice.key)
        self._stored.notices = ",".join(keys)

    def _on_check(self, event):
        logger.info("%s for check %s", type(event).__name__, event.info.name)
        seen = [c for c in self._stored.checks.split(",") if c]
        seen.append(f"{type(event).__name__}:{event.info.name}")
        self._stored.checks = ",".join(seen)

    def _on_create_configmap(self, event):
        from lightkube import Client
        from lightkube.core.exceptions import ApiError
        from lightkube.models.meta_v1 import ObjectMeta
        from lightkube.resources.core_v1 import ConfigMap

        client = Client()
        try:
            client.create(ConfigMap(metadata=ObjectMeta(name=event.params["name"]), data={"made-by": self.unit.name}))
        except ApiError as e:
            event.fail(f"code={e.status.code} {e.status.message}")
            return
        event.set_results({"created": event.params["name"], "namespace": client.namespace})

    def _on_collect_status(self, event):
        container = self.unit.get_container("web")
        connect = container.can_connect()
        service = "none"
        if connect:
            services = container.get_services("srv")
            if "srv" in services:
                service = services["srv"].current.value
        message = (
            f"ready={self._stored.ready} connect={connect} service={service} "
            f"notices={self._stored.notices or '-'} checks={self._stored.checks or '-'}"
        )
        if connect and service == "active":
            event.add_status(ops.ActiveStatus(message))
        else:
            event.add_status(ops.WaitingStatus(message))


if __name__ == "__main__":
    ops.main(SidecarCharm)
