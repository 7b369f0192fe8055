"""SQLite, the embedded default, stays sound when gunicorn workers and the queue write at once."""

import json
import os
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper

from mias import settings as s


def sqlite_settings(path):
    """DATABASES["default"] as the settings build it for a SQLite DATABASE_URL."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            # The settings module alone: django.setup() would cost seconds for nothing.
            "import json; from mias import settings; "
            "print(json.dumps(settings.DATABASES['default'], default=str))",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def connect(config, alias):
    """A raw connection opened as Django opens it (options, init_command), in autocommit."""
    wrapper = DatabaseWrapper({**config, "TIME_ZONE": None, "CONN_HEALTH_CHECKS": False}, alias)
    conn = wrapper.get_new_connection(wrapper.get_connection_params())
    conn.isolation_level = None
    return conn


def begin(config):
    return f"BEGIN {config['OPTIONS'].get('transaction_mode') or ''}"


def test_sqlite_runs_in_wal_with_a_busy_timeout_and_immediate_transactions(tmp_path):
    config = sqlite_settings(tmp_path / "db.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    db = connect(config, "probe")
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    finally:
        db.close()


def test_a_read_then_write_transaction_waits_for_a_busy_writer_instead_of_failing(tmp_path):
    """The outbox's failure: a worker reads, another process writes, the worker's write then
    got "database is locked" at once (a deferred transaction cannot wait)."""
    config = sqlite_settings(tmp_path / "db.sqlite3")
    setup = connect(config, "setup")
    setup.execute("CREATE TABLE outbox (id INTEGER PRIMARY KEY, status TEXT)")
    setup.execute("INSERT INTO outbox VALUES (1, 'queued'), (2, 'queued')")
    setup.close()

    errors, order = [], []
    writing = threading.Event()

    def writer():
        db = connect(config, "writer")
        try:
            db.execute(begin(config))
            db.execute("UPDATE outbox SET status = 'sent' WHERE id = 1")
            writing.set()
            time.sleep(0.5)
            db.execute("COMMIT")
            order.append("writer")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            writing.set()
        finally:
            db.close()

    def worker():
        writing.wait(5)
        db = connect(config, "worker")
        try:
            db.execute(begin(config))
            db.execute("SELECT status FROM outbox WHERE id = 2").fetchone()
            db.execute("UPDATE outbox SET status = 'sending' WHERE id = 2")
            db.execute("COMMIT")
            order.append("worker")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=writer), threading.Thread(target=worker)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert order == ["writer", "worker"]


def production_settings(tmp_path, **env):
    """(CONN_MAX_AGE, CONN_HEALTH_CHECKS, templates cached) of the settings module, as a process
    started with this environment reads it (the module only: no django.setup(), cheap)."""
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "CONN_MAX_AGE"}}
    base.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", **env)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json; from mias import settings as s; db = s.DATABASES['default']; "
            "loaders = s.TEMPLATES[0]['OPTIONS']['loaders']; "
            "print(json.dumps([db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'], loaders]))",
        ],
        cwd=settings.BASE_DIR,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    max_age, health_checks, loaders = json.loads(out.stdout.strip().splitlines()[-1])
    cached = [["django.template.loaders.cached.Loader", s.TEMPLATE_LOADERS]]
    assert loaders in (cached, s.TEMPLATE_LOADERS)
    return max_age, health_checks, loaders == cached


def test_production_keeps_connections_and_compiled_templates(tmp_path):
    assert production_settings(tmp_path, DEBUG="0") == (60, True, True)


def test_debug_opens_a_connection_per_request_and_rereads_templates(tmp_path):
    assert production_settings(tmp_path, DEBUG="1") == (0, True, False)


def test_connection_age_and_template_cache_are_read_from_the_environment(tmp_path):
    assert production_settings(
        tmp_path, DEBUG="0", CONN_MAX_AGE="0", CONN_HEALTH_CHECKS="0", TEMPLATE_CACHE="0"
    ) == (0, False, False)
    assert production_settings(tmp_path, DEBUG="1", CONN_MAX_AGE="300", TEMPLATE_CACHE="1") == (
        300,
        True,
        True,
    )
