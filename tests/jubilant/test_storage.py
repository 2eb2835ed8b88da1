"""Storage as charm suites drive it (contract §3.x deploy/add_unit/remove_unit): `deploy --storage`,
the storage hooks and tools in the charm, status's `storage` section, `storage` / `show-storage`,
`add-unit --attach-storage` of a detached instance, `remove-unit --destroy-storage`, and the
temp model's `destroy-model --destroy-storage` at the end."""

import json

import jubilant

from conftest import charm_dir


def _storage(juju):
    return json.loads(juju.cli('storage', '--format', 'json'))


def test_storage_is_attached_kept_and_attached_again(juju):
    juju.deploy(charm_dir('storer'), 'store', storage={'data': 'rootfs,1G'})
    juju.wait(lambda s: jubilant.all_active(s, 'store'))

    status = juju.status()
    data = status.storage.storage['data/0']
    assert data.kind == 'filesystem'
    assert data.status.current == 'attached'
    location = data.attachments.units['store/0'].location
    assert location.endswith('/storage/data-0')
    # The charm asked for a logs instance with storage-add at install.
    assert status.storage.storage['logs/1'].status.current == 'attached'
    assert _storage(juju)['filesystems']['0']['size'] == 1024

    shown = json.loads(juju.cli('show-storage', 'data/0', '--format', 'json'))
    assert shown['data/0']['attachments']['units']['store/0']['location'] == location

    # remove-unit keeps the storage, detached; a new unit takes it with --attach-storage.
    juju.remove_unit('store/0')
    juju.wait(lambda s: 'store/0' not in s.apps['store'].units)
    assert _storage(juju)['storage']['data/0']['status']['current'] == 'detached'
    juju.add_unit('store', attach_storage='data/0')
    juju.wait(lambda s: jubilant.all_active(s, 'store') and 'store/1' in s.apps['store'].units)
    assert juju.status().storage.storage['data/0'].attachments.units['store/1'].location == location

    # --destroy-storage: the instances go with the unit.
    juju.remove_unit('store/1', destroy_storage=True)
    juju.wait(lambda s: not s.apps['store'].units)
    listed = _storage(juju).get('storage', {})
    assert 'data/0' not in listed
    # The first unit's logs instance was kept, detached.
    assert listed['logs/1']['status']['current'] == 'detached'


def test_a_bad_directive_is_refused(juju):
    try:
        juju.deploy(charm_dir('storer'), 'bad', storage={'logs': '3'})
    except jubilant.CLIError as e:
        assert 'the charm allows at most 2 instances per unit, not 3' in e.stderr
    else:
        raise AssertionError('deploy with 3 logs instances was not refused')
    assert 'bad' not in juju.status().apps
