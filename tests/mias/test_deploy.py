"""Deployment: the health URL, production settings under `check --deploy`, JSON logs."""

import json
import logging
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import OperationalError
from django.urls import reverse

from mias import health as health_module
from mias.logging import JSONFormatter

# The health URL must stay out of the Wagtail catch-all and keep its address for the monitor.
HEALTH_URL = "/health/"


def production_env(tmp_path, **extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DEBUG",
            "HTTPS",
            "SECURE_SSL_REDIRECT",
            "SECURE_COOKIES",
            "LOG_FORMAT",
            "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests' conftest, never in production
        }
        and not key.startswith("SECURE_HSTS")
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="example.org",
        SITE_URL="https://example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    )
    env.update(extra)
    return env


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db
def test_health_is_ok_on_the_test_database(client):
    assert reverse("health") == HEALTH_URL
    response = client.get(HEALTH_URL)
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "queue": "ok"},
    }
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_ignores_the_query_string_and_refuses_writes(client):
    assert client.get(HEALTH_URL, {"check": "'; DROP TABLE x; --"}).status_code == 200
    assert client.head(HEALTH_URL).status_code == 200
    assert client.post(HEALTH_URL).status_code == 405


class BrokenConnection:
    def cursor(self):
        raise OperationalError('connection to "db.internal" failed: password=hunter2')


class BrokenCache:
    def set(self, *args, **kwargs):
        raise ConnectionError("redis://:hunter2@cache.internal:6379 refused")

    def get(self, *args, **kwargs):
        raise AssertionError("not reached")

    delete = get


class BrokenBroker:
    def ping(self):
        raise ConnectionError("redis://:hunter2@queue.internal:6379 refused")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "failing, attribute, replacement",
    [
        ("database", "connection", BrokenConnection()),
        ("cache", "cache", BrokenCache()),
        ("queue", "get_broker", BrokenBroker),
    ],
)
def test_a_failing_check_gives_503_and_no_detail(
    client, monkeypatch, caplog, failing, attribute, replacement
):
    monkeypatch.setattr(health_module, attribute, replacement)
    response = client.get(HEALTH_URL)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    expected = {"database": "ok", "cache": "ok", "queue": "ok", failing: "error"}
    assert body["checks"] == expected
    assert "hunter2" not in response.content.decode()
    assert "hunter2" not in caplog.text  # only the exception's class is logged
    assert f"health check {failing} failed" in caplog.text


@pytest.mark.django_db
def test_a_wrong_value_from_the_cache_is_an_error(client, monkeypatch):
    class ForgetfulCache(BrokenCache):
        def set(self, *args, **kwargs):
            pass

        def get(self, *args, **kwargs):
            return None

        def delete(self, *args, **kwargs):
            pass

    monkeypatch.setattr(health_module, "cache", ForgetfulCache())
    response = client.get(HEALTH_URL)
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "error"


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "no issues" in output


SHOW_SETTINGS = """
import json
from django.conf import settings as s
print(json.dumps({
    "redirect": s.SECURE_SSL_REDIRECT,
    "secure_cookies": s.SESSION_COOKIE_SECURE and s.CSRF_COOKIE_SECURE,
    "hsts": s.SECURE_HSTS_SECONDS,
    "frames": s.X_FRAME_OPTIONS,
    "logs": s.LOGGING["handlers"]["console"]["formatter"],
}))
"""


def shown_settings(env):
    result = manage(env, "shell", "-c", SHOW_SETTINGS)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_turns_the_https_settings_on_and_local_http_keeps_them_off(tmp_path):
    production = production_env(tmp_path, SECURE_HSTS_SECONDS="600")
    assert shown_settings(production) == {
        "redirect": True,
        "secure_cookies": True,
        "hsts": 600,
        "frames": "DENY",
        "logs": "json",
    }
    # `make demo`: DEBUG=1 on http://127.0.0.1:8000, no secret key given.
    demo = production_env(tmp_path, DEBUG="1", SITE_URL="http://127.0.0.1:8000")
    del demo["SECRET_KEY"]
    assert shown_settings(demo) == {
        "redirect": False,
        "secure_cookies": False,
        "hsts": 0,
        "frames": "DENY",
        "logs": "text",
    }


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = manage(env, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def make_record(message, *args, exc_info=None, **extra):
    record = logging.LogRecord("mias.test", logging.WARNING, __file__, 1, message, args, exc_info)
    record.__dict__.update(extra)
    return record


def test_json_formatter_writes_one_json_object_per_record():
    formatter = JSONFormatter()
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        exc_info = sys.exc_info()
    records = [
        make_record("plain %s", "message"),
        make_record("multi\nline « accents »"),
        make_record("Internal Server Error: %s", "/x/", exc_info=exc_info, status_code=500),
    ]
    lines = [formatter.format(record) for record in records]
    for line in lines:
        assert "\n" not in line
    entries = [json.loads(line) for line in lines]
    assert entries[0]["message"] == "plain message"
    assert entries[0]["level"] == "WARNING"
    assert entries[0]["logger"] == "mias.test"
    assert entries[0]["time"].endswith("+00:00")
    assert entries[1]["message"] == "multi\nline « accents »"
    assert entries[2]["status_code"] == 500
    assert "ValueError: boom" in entries[2]["exception"]


def test_json_formatter_keeps_personal_data_and_secrets_out():
    class Request:
        body = b"contact_email=jeanne@cpas.example&question=secret"

    line = JSONFormatter().format(
        make_record(
            "Not Found: %s for %s; reset %s; asked %s",
            "/commande/Zx9-abcDEF_123/modifier/",
            "Jeanne.Dupont+mias@cpas-namur.be",
            "/accounts/mot-de-passe/MTI/cabc12-0123456789abcdef/",
            "/commande/lien/",
            request=Request(),
        )
    )
    entry = json.loads(line)
    assert set(entry) == {"time", "level", "logger", "message"}  # no extras, no request body
    assert "Zx9-abcDEF_123" not in line
    assert "cpas-namur" not in line and "Jeanne" not in line
    assert "cabc12" not in line
    assert "/commande/[token]/modifier/" in entry["message"]
    assert "[email]" in entry["message"]
    assert "/commande/lien/" in entry["message"]


def test_calendar_feed_tokens_are_masked_in_logs_and_in_the_nginx_map():
    line = JSONFormatter().format(
        make_record("Internal Server Error: %s", "/calendrier/Zx9-abcDEF_123.ics")
    )
    message = json.loads(line)["message"]
    assert "Zx9-abcDEF_123" not in message
    assert "/calendrier/[token].ics" in message
    deploy = (settings.BASE_DIR / "docs" / "deploy.md").read_text()
    assert '"/calendrier/[token].ics$rest"' in deploy


def test_favicon_answers_with_a_real_icon(client):
    from django.contrib.staticfiles import finders
    from django.templatetags.static import static

    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == static("mias/favicon.ico")
    with open(finders.find("mias/favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # the ICO signature
