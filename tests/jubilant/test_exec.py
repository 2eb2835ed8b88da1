"""`juju exec`, `ssh` and `scp` as jubilant and charm suites use them (contract §3.10, §3.27,
§3.32): commands in a unit's hook context or on a machine, Juju's task JSON and exit codes."""

import uuid

import jubilant
import pytest

from conftest import charm_dir


@pytest.fixture(scope='module', autouse=True)
def app(juju):
    juju.deploy(charm_dir('kv-provider'), 'kv')
    # Alone, the provider waits for a relation (blocked); its agent settles all the same.
    juju.wait(lambda s: jubilant.all_blocked(s, 'kv') and jubilant.all_agents_idle(s, 'kv'))


def test_exec_joins_arguments_like_juju(juju):
    assert juju.exec('echo', 'bar', 'baz', unit='kv/0').stdout == 'bar baz\n'
    task = juju.exec('echo foo', unit='kv/0')
    assert task.stdout == 'foo\n'
    assert task.stderr == ''
    assert task.success


def test_exec_runs_in_the_units_hook_context(juju):
    assert juju.exec('is-leader', unit='kv/0').stdout == 'True\n'
    assert juju.exec('unit-get', 'private-address', unit='kv/0').stdout.strip()
    assert juju.exec('echo $JUJU_UNIT_NAME', unit='kv/0').stdout == 'kv/0\n'


def test_exec_and_ssh_reach_a_machine(juju):
    task = juju.exec('echo', 'on the machine', machine=0)
    assert task.stdout == 'on the machine\n'
    assert task.success
    assert juju.ssh(0, 'echo', 'on the machine') == 'on the machine\n'


def test_a_failing_command_is_a_task_error_and_an_unknown_unit_a_value_error(juju):
    with pytest.raises(jubilant.TaskError) as failed:
        juju.exec('echo oops >&2; exit 3', unit='kv/0')
    assert failed.value.task.return_code == 3
    assert failed.value.task.stderr == 'oops\n'
    with pytest.raises(ValueError):
        juju.exec('true', unit='kv/42')


def test_juju_log_levels_reach_debug_log(juju):
    marker = f'marker-{uuid.uuid4().hex[:8]}'
    juju.exec('juju-log', '--log-level', 'WARNING', marker, unit='kv/0')
    lines = [line for line in juju.debug_log().splitlines() if marker in line]
    assert lines and ' WARNING ' in lines[0]


def test_ssh_runs_locally_in_the_unit_directory_with_stdin(juju):
    assert juju.ssh('kv/0', 'echo', 'foo') == 'foo\n'
    assert juju.cli('ssh', 'kv/0', 'cat', stdin='piped') == 'piped'
    with pytest.raises(jubilant.CLIError):
        juju.ssh('kv/0', 'false')


def test_scp_copies_both_ways(juju, tmp_path):
    source = tmp_path / 'to-unit.txt'
    source.write_text('payload\n')
    source.chmod(0o644)
    juju.scp(source, 'kv/0:copied.txt')
    assert juju.ssh('kv/0', 'cat', 'copied.txt') == 'payload\n'
    back = tmp_path / 'from-unit.txt'
    juju.scp('kv/0:copied.txt', back)
    assert back.read_text() == 'payload\n'
