"""Fixtures for our jubilant suites: one skein controller per suite, bootstrapped the way a
developer would (`juju bootstrap`, with `juju` linked to skein), and a temporary model per module,
the way charm test suites use jubilant."""

import os
import pathlib
import shutil
import subprocess
import tempfile
import zipfile

import jubilant
import pytest

CHARMS = pathlib.Path(os.environ['SKEIN_TEST_CHARMS'])


def _juju(*args, check=True):
    return subprocess.run(['juju', *args], check=check, capture_output=True, text=True)


@pytest.fixture(scope='session', autouse=True)
def controller():
    """A fresh controller in a temporary data directory, stopped (by the pids it recorded) and
    removed at the end. The directory is 0711 so that units running under their own uids reach
    their own directories inside it."""
    data = tempfile.mkdtemp(prefix='skein-jubilant-')
    os.chmod(data, 0o711)
    os.environ['SKEIN_DATA'] = data
    assert shutil.which('juju').startswith(os.environ['SKEIN_BUILD_DIR']), 'juju must be our link to skein'
    _juju('bootstrap', 'localhost', 'local', '--no-switch')
    yield data
    _juju('kill-controller', 'local', '--no-prompt', check=False)
    shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope='module')
def juju(controller):
    """A temporary model per module; jubilant destroys it at the end."""
    with jubilant.temp_model() as juju:
        juju.wait_timeout = 120
        yield juju


@pytest.fixture
def shared_dir():
    """A directory every unit can write to: with privilege separation each unit runs under its own
    uid, and pytest's tmp_path sits in a directory only we may enter."""
    d = pathlib.Path(tempfile.mkdtemp(prefix='skein-jubilant-shared-'))
    d.chmod(0o777)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def charm_dir(name: str) -> pathlib.Path:
    """One of our test charms (tests/testdata/charms) as a charm directory."""
    return CHARMS / name


@pytest.fixture(scope='session')
def pack(tmp_path_factory):
    """Packs a test charm into a `.charm` zip, as charmcraft pack would, and returns its path."""

    def _pack(name: str) -> pathlib.Path:
        out = tmp_path_factory.mktemp('charms') / f'{name}_ubuntu-22.04-amd64.charm'
        with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
            root = charm_dir(name)
            for path in sorted(root.rglob('*')):
                if path.is_file():
                    info = zipfile.ZipInfo(str(path.relative_to(root)))
                    info.external_attr = (path.stat().st_mode & 0o777) << 16
                    z.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
        return out

    return _pack
