"""Secrets as charm suites exercise them (contract §3.5, §3.17, §3.25, §3.28, §3.30, §3.36):
user secrets from the CLI, charm secrets from hook tools (through `exec`, which runs in a unit's
hook context), grants and revisions, and secret-changed for a reader of an older revision."""

import time

import jubilant
import pytest

from conftest import charm_dir


@pytest.fixture(scope='module', autouse=True)
def apps(juju):
    juju.deploy(charm_dir('kv-provider'), 'owner')
    juju.deploy(charm_dir('kv-requirer'), 'consumer')
    juju.deploy(charm_dir('kv-requirer'), 'stranger')
    juju.integrate('owner', 'consumer')
    juju.wait(lambda s: jubilant.all_active(s, 'owner', 'consumer'))


def _wait_for_hook(juju, unit, hook, timeout=60):
    """Waits until the unit's agent logged that `hook` ran (debug-log), or fails."""
    entity = 'unit-' + unit.replace('/', '-')
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = juju.debug_log(limit=2000)
        if any(line.startswith(entity + ':') and f'ran "{hook}" hook' in line for line in log.splitlines()):
            return
        time.sleep(0.5)
    raise AssertionError(f'{unit} never ran {hook}:\n{juju.debug_log(limit=50)}')


def secret_get(juju, unit, uri, *flags):
    return juju.exec('secret-get', uri, *flags, '--format', 'json', unit=unit)


def test_user_secret_round_trip(juju):
    uri = juju.add_secret('db-pass', {'password': 'hunter2'}, info='for the consumer')
    assert str(uri).startswith('secret:')
    listed = {str(s.uri): s for s in juju.secrets()}
    assert listed[str(uri)].name == 'db-pass'
    assert listed[str(uri)].revision == 1
    shown = juju.show_secret('db-pass', reveal=True)
    assert shown.content == {'password': 'hunter2'}

    # Not granted yet: the consumer is refused.
    with pytest.raises(jubilant.TaskError):
        secret_get(juju, 'consumer/0', str(uri))
    juju.grant_secret('db-pass', 'consumer')
    assert '"hunter2"' in secret_get(juju, 'consumer/0', str(uri)).stdout

    juju.update_secret('db-pass', {'password': 'correct horse'})
    assert juju.show_secret('db-pass').revision == 2
    # The consumer, which reads revision 1, is told by its secret-changed hook.
    _wait_for_hook(juju, 'consumer/0', 'secret-changed')
    # It keeps the revision it tracks until it asks for the new one.
    assert '"hunter2"' in secret_get(juju, 'consumer/0', str(uri)).stdout
    assert '"correct horse"' in secret_get(juju, 'consumer/0', str(uri), '--peek').stdout
    assert '"correct horse"' in secret_get(juju, 'consumer/0', str(uri), '--refresh').stdout
    assert '"correct horse"' in secret_get(juju, 'consumer/0', str(uri)).stdout

    juju.remove_secret('db-pass')
    assert str(uri) not in {str(s.uri) for s in juju.secrets()}


def test_charm_secret_granted_over_a_relation(juju):
    uri = juju.exec('secret-add', '--label', 'api', 'token=s3cr3t', unit='owner/0').stdout.strip()
    assert uri.startswith('secret:')
    rid = juju.exec('relation-ids', 'kv', unit='owner/0').stdout.split()[0]
    juju.exec('secret-grant', uri, '-r', rid, unit='owner/0')
    assert '"s3cr3t"' in secret_get(juju, 'consumer/0', uri).stdout
    # A unit of an application without a grant reads nothing.
    with pytest.raises(jubilant.TaskError):
        secret_get(juju, 'stranger/0', uri)
    ids = juju.exec('secret-ids', unit='owner/0').stdout
    assert uri in ids
    assert any(str(s.uri) == uri and s.owner == 'owner' for s in juju.secrets())
