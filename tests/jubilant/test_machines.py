"""Machines as charm suites drive them through jubilant (contract §3.3, §3.6, §3.7): add_machine
starts another machine agent on this host, units are placed there with `to=`, status lists it,
exec reaches it, remove-machine takes it away; manual machines are refused plainly; SSH keys are
stored."""

import jubilant
import pytest

from conftest import charm_dir

KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGm9ZbHhYsGQmRzEJXqRXbQkGq4S0z7WlKWN5Q4e3vYb alice@example'


def _new_machine(juju, before):
    added = set(juju.status().machines) - before
    assert len(added) == 1, added
    return added.pop()


def test_add_machine_place_a_unit_and_remove_it(juju):
    before = set(juju.status().machines)
    juju.add_machine()
    machine = _new_machine(juju, before)
    juju.wait(lambda s: s.machines[machine].juju_status.current == 'started')

    juju.deploy(charm_dir('kv-provider'), 'kv')
    juju.add_unit('kv', to=machine)
    juju.wait(lambda s: jubilant.all_agents_idle(s, 'kv') and len(s.apps['kv'].units) == 2)
    placed = [name for name, u in juju.status().apps['kv'].units.items() if u.machine == machine]
    assert len(placed) == 1
    assert juju.exec('pwd', machine=machine).stdout.strip().endswith(f'/machine-{machine}')

    with pytest.raises(jubilant.CLIError) as refused:
        juju.cli('remove-machine', machine)
    assert f'has unit "{placed[0]}" assigned' in refused.value.stderr

    juju.remove_unit(placed[0])
    juju.wait(lambda s: placed[0] not in s.apps['kv'].units)
    juju.cli('remove-machine', machine)
    assert machine not in juju.status().machines


def test_manual_machines_and_containers_are_refused(juju):
    before = set(juju.status().machines)
    with pytest.raises(jubilant.CLIError) as manual:
        juju.add_machine('ssh:ubuntu@127.0.0.1')
    assert 'manual machines cannot join' in manual.value.stderr
    with pytest.raises(jubilant.CLIError):
        juju.add_machine('lxd')
    assert set(juju.status().machines) == before


def test_ssh_keys_are_stored(juju):
    juju.add_ssh_key(KEY)
    assert 'alice@example' in juju.cli('ssh-keys')
    juju.remove_ssh_key('alice@example')
    assert 'alice@example' not in juju.cli('ssh-keys')
