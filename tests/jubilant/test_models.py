"""Model lifecycle as charm test suites drive it: temp_model's add-model/destroy-model,
show-model, model config at creation, model constraints."""

import json
import subprocess
import uuid

import jubilant

from conftest import charm_dir


def _cli(*args):
    return subprocess.run(['juju', *args], capture_output=True, text=True)


def _model_names():
    return {m['short-name'] for m in json.loads(_cli('models', '--format', 'json').stdout)['models']}


def test_show_model_is_found_by_every_name_form(juju):
    info = juju.show_model()
    assert info.short_name == juju.model
    assert info.name == f'admin/{juju.model}'
    assert info.model_type == 'iaas'
    assert info.status.current == 'available'
    assert info.life == 'alive'
    uuid.UUID(info.model_uuid)
    uuid.UUID(info.controller_uuid)
    for ref in (f'admin/{juju.model}', f'{info.controller_name}:admin/{juju.model}'):
        assert juju.show_model(ref).model_uuid == info.model_uuid


def test_add_model_applies_config_and_leaves_the_current_model(controller):
    before = _cli('switch').stdout
    name = f'configured-{uuid.uuid4().hex[:6]}'
    j = jubilant.Juju()
    j.add_model(name, config={'update-status-hook-interval': '10s', 'automatically-retry-hooks': False})
    try:
        assert j.model_config()['update-status-hook-interval'] == '10s'
        assert j.model_config()['automatically-retry-hooks'] is False
        assert _cli('switch').stdout == before
        again = _cli('add-model', '--no-switch', name)
        assert again.returncode != 0 and 'already exists' in again.stderr
    finally:
        j.destroy_model(name, destroy_storage=True, force=True)
    bad = _cli('add-model', '--no-switch', f'bad-{name}', '--config', 'update-status-hook-interval=soon')
    assert bad.returncode != 0 and bad.stderr.startswith('ERROR ')
    assert f'bad-{name}' not in _model_names()


def test_model_constraints_are_stored_and_shown(juju):
    assert juju.model_constraints() == {}
    juju.model_constraints({'mem': '1G', 'cores': 2, 'arch': 'amd64'})
    assert juju.model_constraints() == {'arch': 'amd64', 'cores': 2, 'mem': 1024}


def test_destroy_model_runs_the_units_dying_hooks_and_the_name_is_free_again(controller, shared_dir):
    name = f'doomed-{uuid.uuid4().hex[:6]}'
    j = jubilant.Juju()
    j.add_model(name)
    log = shared_dir / 'hooks.log'
    log.touch()
    log.chmod(0o666)
    j.deploy(charm_dir('kv-requirer'), config={'log-path': str(log)})
    j.wait(lambda s: jubilant.all_blocked(s, 'kv-requirer'))
    j.destroy_model(name, destroy_storage=True, force=True)
    assert j.model is None
    assert name not in _model_names()
    hooks = log.read_text()
    assert 'kv-requirer/0 stop' in hooks and 'kv-requirer/0 remove' in hooks
    j.add_model(name)
    assert j.status().apps == {}
    j.destroy_model(name, destroy_storage=True, force=True)
