"""`bin/serve` (and `make serve`) stops on Ctrl-C within 10 s, the task queue included."""

import os
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytest.importorskip("gunicorn", reason="gunicorn is not installed: bin/serve needs it")

pytestmark = pytest.mark.django_db


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def processes_with(marker):
    """Pids of live processes whose environment holds `marker` (ours: same user)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                status = (entry / "status").read_text()
                if "State:\tZ" not in status:
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


@pytest.fixture(scope="module")
def migrated_copy(django_db_setup, django_db_blocker, tmp_path_factory):
    """A committed copy of the migrated test database, taken before any test transaction
    opens: no migration to wait for."""
    if connection.vendor != "sqlite":
        pytest.skip("the copy is made from the SQLite test database")
    path = tmp_path_factory.mktemp("serve") / "serve.sqlite3"
    with django_db_blocker.unblock():
        connection.ensure_connection()
        copy = sqlite3.connect(path)
        connection.connection.backup(copy)
        copy.close()
    return path


# django-q2's cluster sometimes deadlocks in its own SIGTERM handler (django-q2 issue #346:
# "Q Cluster … stopping." and nothing more); this stand-in always does.
HANGING_QCLUSTER = """#!/bin/sh
if [ "$1" = manage.py ] && [ "$2" = qcluster ]; then
    exec "$REAL_PY" -c 'import signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
time.sleep(3600)' qcluster
fi
exec "$REAL_PY" "$@"
"""


def python():
    venv = Path(settings.BASE_DIR) / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else os.environ.get("PYTHON", "python3")


@pytest.mark.parametrize("queue", ["qcluster", "hanging qcluster"])
def test_ctrl_c_stops_gunicorn_and_the_queue_within_ten_seconds(tmp_path, migrated_copy, queue):
    port = free_port()
    marker = f"MIAS_SERVE_TEST={tmp_path}"
    py = python()
    if queue == "hanging qcluster":
        py = tmp_path / "python"
        py.write_text(HANGING_QCLUSTER)
        py.chmod(0o755)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{migrated_copy}",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "STATIC_ROOT": str(tmp_path / "static"),
        "STATIC_MANIFEST": "0",
        "DEBUG": "0",
        "REDIS_URL": "",
        "Q_CLUSTER_NAME": f"serve-test-{port}",
        "PY": str(py),
        "REAL_PY": python(),
        "MIAS_SERVE_TEST": str(tmp_path),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115 - closed below
    serve = subprocess.Popen(
        [str(Path(settings.BASE_DIR) / "bin" / "serve")],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own terminal group: Ctrl-C reaches bin/serve itself
    )
    try:
        limit = time.monotonic() + 120
        while True:
            assert serve.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < limit, (tmp_path / "serve.log").read_text()[-3000:]
                time.sleep(0.3)
        assert any(b"qcluster" in cmdline(pid) for pid in processes_with(marker))
        time.sleep(2)  # the cluster's workers are up

        os.killpg(serve.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
        started = time.monotonic()
        serve.wait(timeout=15)
        elapsed = time.monotonic() - started

        assert elapsed < 10, f"bin/serve took {elapsed:.1f} s to stop"
        time.sleep(0.5)
        assert processes_with(marker) == [], "gunicorn or the task queue outlived bin/serve"
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2)
    finally:
        for pid in processes_with(marker):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
        log.close()
