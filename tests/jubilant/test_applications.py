"""What a typical charm integration suite does with jubilant (contract §9): deploy local charm
directories and packed .charm files, integrate, wait, run actions, config, model-config, units,
show-unit, debug-log, trust, removal."""

import json
import subprocess

import jubilant
import pytest

from conftest import charm_dir


def test_version_is_a_3_6_juju(juju):
    version = juju.version()
    assert version.tuple[:2] == (3, 6)
    plain = subprocess.run(['juju', 'version'], check=True, capture_output=True, text=True).stdout.strip()
    assert plain == str(version)


def test_deploy_directory_and_packed_charm_then_integrate_and_settle(juju, pack):
    juju.deploy(charm_dir('kv-provider'), 'kv')
    juju.deploy(pack('kv-requirer'), 'client', config={'request': 'question'}, num_units=2)
    # deploy returns once the application and its units exist.
    status = juju.status()
    assert set(status.apps['client'].units) == {'client/0', 'client/1'}
    assert status.apps['kv'].charm == 'local:kv-provider-0'
    assert status.apps['kv'].charm_origin == 'local'
    assert status.apps['client'].charm_name == 'kv-requirer'
    juju.wait(lambda s: jubilant.all_blocked(s, 'client'))
    juju.integrate('kv', 'client:kv')
    status = juju.wait(jubilant.all_active)
    assert status.apps['kv'].relations['kv'][0].related_app == 'client'
    assert status.apps['client'].units['client/1'].workload_status.message.startswith('answer: ')
    assert jubilant.all_agents_idle(status)


def test_config_get_set_reset_reaches_the_units(juju):
    assert juju.config('client')['request'] == 'question'
    juju.config('client', {'request': 'another question'})
    assert juju.config('client')['request'] == 'another question'
    juju.wait(lambda s: all('another question' in u.workload_status.message or
                            u.workload_status.message.startswith('answer: ')
                            for u in s.apps['client'].units.values()))
    juju.config('client', reset=['request'])
    assert juju.config('client')['request'] != 'another question'
    assert juju.config('kv', app_config=True)['trust'] is False


def test_trust_is_application_config(juju):
    juju.trust('kv')
    assert juju.config('kv', app_config=True)['trust'] is True
    juju.trust('kv', remove=True)
    assert juju.config('kv', app_config=True)['trust'] is False


def test_model_config_takes_the_short_update_status_interval_tests_use(juju):
    assert juju.model_config()['update-status-hook-interval'] == '5m'
    juju.model_config({'update-status-hook-interval': '10s'})
    assert juju.model_config()['update-status-hook-interval'] == '10s'
    juju.model_config(reset=['update-status-hook-interval'])
    assert juju.model_config()['update-status-hook-interval'] == '5m'


def test_actions_complete_fail_and_unknown_ones_are_value_errors(juju):
    juju.deploy(charm_dir('actioner'))
    juju.wait(lambda s: jubilant.all_active(s, 'actioner'))
    task = juju.run('actioner/0', 'echo', {'message': 'hello', 'count': 2})
    assert task.status == 'completed' and task.return_code == 0
    assert task.results  # the charm's action-set data, nesting kept
    leader = juju.run('actioner/leader', 'echo', {'message': 'to the leader'})
    assert leader.success
    with pytest.raises(jubilant.TaskError) as failed:
        juju.run('actioner/0', 'fail', {'reason': 'on purpose'})
    assert failed.value.task.status == 'failed'
    assert failed.value.task.message == 'on purpose'
    with pytest.raises(jubilant.TaskError) as nonzero:
        juju.run('actioner/0', 'exit-nonzero')
    assert nonzero.value.task.return_code == 3
    with pytest.raises(ValueError):
        juju.run('actioner/0', 'no-such-action')
    with pytest.raises(ValueError):
        juju.run('actioner/42', 'echo', {'message': 'nobody'})


def test_show_unit_and_debug_log(juju):
    unit = juju.show_unit('kv/0')
    assert unit.charm == 'local:kv-provider-0'
    assert unit.leader is True
    assert unit.life == 'alive'
    assert unit.machine or unit.provider_id
    assert any(r.endpoint == 'kv' for r in unit.relation_info)
    log = juju.debug_log(limit=5)
    assert 0 < len(log.splitlines()) <= 5


def test_add_and_remove_units(juju):
    juju.add_unit('kv', num_units=2)
    juju.wait(lambda s: len(s.apps['kv'].units) == 3 and jubilant.all_active(s, 'kv'))
    juju.remove_unit('kv/1', 'kv/2')
    juju.wait(lambda s: set(s.apps['kv'].units) == {'kv/0'})


def test_remove_relation_then_applications(juju):
    juju.remove_relation('kv', 'client')
    juju.wait(lambda s: not s.apps['kv'].relations.get('kv') and jubilant.all_blocked(s, 'client'))
    juju.remove_application('client', 'kv', 'actioner', destroy_storage=True, force=True)
    juju.wait(lambda s: not s.apps)


def test_status_json_keeps_jubilants_required_keys(juju):
    raw = json.loads(juju.cli('status', '--format', 'json'))
    for key in ('model', 'machines', 'applications'):
        assert key in raw
    for key in ('name', 'type', 'controller', 'cloud', 'version'):
        assert key in raw['model']
