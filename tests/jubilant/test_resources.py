"""Resources as charm suites use them (contract §3.15, §3.22): `deploy(..., resources={...})`
with a file and an image reference, `resource-get` from the charm (and through `exec`), and
`attach-resource`, after which every unit runs upgrade-charm once and reads the new file."""

import json
import os
import shutil
import tempfile

import jubilant
import pytest

from conftest import charm_dir


def payload_message(status, unit):
    return status.apps['web'].units[unit].workload_status.message


@pytest.fixture(scope='module')
def log(juju):
    """The file the charm appends one line per hook to, in a directory every unit uid reaches."""
    d = tempfile.mkdtemp(prefix='skein-jubilant-resources-')
    os.chmod(d, 0o777)
    # Made here and writable by all: the first unit to create it would otherwise own it alone.
    path = os.path.join(d, 'hooks.log')
    open(path, 'w').close()
    os.chmod(path, 0o666)
    yield path
    shutil.rmtree(d, ignore_errors=True)


def test_deploy_with_resources_then_resource_get(juju, tmp_path, log):
    first = tmp_path / 'first.txt'
    first.write_text('first payload\n')
    juju.deploy(charm_dir('resourceful'), 'web', num_units=2, config={'log-path': log},
                resources={'payload': str(first), 'image': 'redis:7'})
    status = juju.wait(lambda s: all(payload_message(s, u) == 'payload: first payload' for u in ('web/0', 'web/1')))
    assert jubilant.all_active(status, 'web')
    path = juju.exec('resource-get', 'payload', unit='web/0').stdout
    assert path.endswith('/resources/payload/payload.txt')
    assert juju.exec('cat', path, unit='web/0').stdout == 'first payload\n'

    listed = json.loads(juju.cli('resources', 'web', '--format', 'json'))
    by_name = {r['name']: r for r in listed['resources']}
    assert by_name['payload']['revision'] == '1'
    assert by_name['payload']['size'] == len('first payload\n')
    assert by_name['image']['type'] == 'oci-image'


def test_attach_resource_runs_upgrade_charm_once_and_serves_the_new_file(juju, tmp_path, log):
    second = tmp_path / 'second.txt'
    second.write_text('second payload\n')
    juju.cli('attach-resource', 'web', f'payload={second}')
    juju.wait(lambda s: all(payload_message(s, u) == 'payload: second payload' for u in ('web/0', 'web/1'))
              and jubilant.all_agents_idle(s, 'web'))
    path = juju.exec('resource-get', 'payload', unit='web/1').stdout
    assert juju.exec('cat', path, unit='web/1').stdout == 'second payload\n'
    with open(log) as f:
        upgrades = [line for line in f if ' upgrade-charm ' in line]
    assert sorted(line.split()[0] for line in upgrades) == ['web/0', 'web/1'], upgrades
    assert all('content=second payload' in line for line in upgrades), upgrades


def test_unknown_resource_and_missing_file_are_refused(juju, tmp_path):
    with pytest.raises(jubilant.CLIError) as unknown:
        juju.cli('attach-resource', 'web', f'nope={tmp_path / "x"}')
    assert 'has no resource "nope"' in unknown.value.stderr
    with pytest.raises(jubilant.CLIError) as missing:
        juju.cli('attach-resource', 'web', f'payload={tmp_path / "absent.txt"}')
    assert 'no such file or directory' in missing.value.stderr
    listed = json.loads(juju.cli('resources', 'web', '--format', 'json'))
    assert {r['name']: r['revision'] for r in listed['resources']}['payload'] == '2'
