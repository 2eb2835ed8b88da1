#!/usr/bin/env python3
"""An ops charm that uses secrets and storage as charms in the field do (conformance suite).

Its status says what it did, for the test to read: `data=<dir> shared=<secret id>` on the owner,
`data=<dir> read=<password>` on the reader, and `removed=<revision>` once the owner removed a
revision nobody reads any more.
"""

import ops

LABEL = "shared"


class VaultCharm(ops.CharmBase):
    _stored = ops.StoredState()

    def __init__(self, framework):
        super().__init__(framework)
        self._stored.set_default(read="", removed="", uri="")
        framework.observe(self.on.data_storage_attached, self._on_data_attached)
        framework.observe(self.on.share_relation_joined, self._on_share_joined)
        framework.observe(self.on.fetch_relation_changed, self._on_fetch_changed)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.secret_changed, self._on_secret_changed)
        framework.observe(self.on.secret_remove, self._on_secret_remove)
        for event in (self.on.install, self.on.start, self.on.update_status, self.on.leader_elected):
            framework.observe(event, self._show)

    def _data_dir(self):
        storages = self.model.storages["data"]
        return storages[0].location if storages else None

    def _on_data_attached(self, event):
        (event.storage.location / "owner").write_text(self.unit.name + "\n")
        self._show(event)

    def _shared(self):
        try:
            return self.model.get_secret(label=LABEL)
        except ops.SecretNotFoundError:
            return None

    def _on_share_joined(self, event):
        if not self.unit.is_leader():
            return
        secret = self._shared() or self.app.add_secret({"password": self.config["content"]}, label=LABEL)
        secret.grant(event.relation)
        event.relation.data[self.app]["uri"] = secret.id
        self._stored.uri = secret.id
        self._show(event)

    def _read(self, secret, refresh=False):
        self._stored.read = secret.get_content(refresh=refresh)["password"]

    def _on_fetch_changed(self, event):
        uri = event.relation.data[event.app].get("uri") if event.app else None
        if uri:
            self._read(self.model.get_secret(id=uri, label="fetched"))
        self._show(event)

    def _on_config_changed(self, event):
        secret = self._shared() if self.unit.is_leader() else None
        if secret is not None:
            secret.set_content({"password": self.config["content"]})
        self._show(event)

    def _on_secret_changed(self, event):
        # The reader labelled the secret it reads: ops finds it by that label too.
        assert event.secret.label == "fetched", event.secret.label
        self._read(event.secret, refresh=True)
        self._show(event)

    def _on_secret_remove(self, event):
        event.remove_revision()
        self._stored.removed = str(event.revision)
        self._show(event)

    def _show(self, _event):
        parts = [f"data={self._data_dir()}"]
        if self._stored.uri:
            parts.append(f"shared={self._stored.uri}")
        if self._stored.read:
            parts.append(f"read={self._stored.read}")
        if self._stored.removed:
            parts.append(f"removed={self._stored.removed}")
        self.unit.status = ops.ActiveStatus(" ".join(parts))


if __name__ == "__main__":
    ops.main(VaultCharm)
