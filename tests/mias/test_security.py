"""Login lockout after repeated failures; the content security policy on every public page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("anna", "anna@x.example", "right-pass-123")


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_five_failures_lock_the_account_even_with_the_right_password(client, user, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    for _attempt in range(5):
        assert _login(client, "anna", "wrong").status_code == 200
    page = _login(client, "anna", "right-pass-123")
    assert page.status_code == 200
    assert "_auth_user_id" not in client.session
    assert (
        page.context["form"]
        .errors["__all__"][0]
        .startswith(("Too many failed attempts", "Trop de tentatives"))
    )
    # The lock also holds on the admin sites' login forms, which use the same backends.
    client.post("/django-admin/login/", {"username": "anna", "password": "right-pass-123"})
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_account_and_success_resets_the_count(client, user, django_user_model):
    django_user_model.objects.create_user("bob", "bob@x.example", "bob-pass-123")
    for _attempt in range(4):
        _login(client, "anna", "wrong")
    assert _login(client, "anna", "right-pass-123").status_code == 302
    client.logout()
    for _attempt in range(4):
        _login(client, "anna", "wrong")
    assert _login(client, "anna", "right-pass-123").status_code == 302  # counted afresh
    client.logout()
    for _attempt in range(6):
        _login(client, "anna", "wrong")
    assert _login(client, "bob", "bob-pass-123").status_code == 302  # others unaffected


def test_pages_send_a_policy_without_inline_scripts(client, call):
    for url in (reverse("login"), call.get_submit_url(), "/"):
        policy = client.get(url).headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy


def test_error_pages_are_the_sites_own(client, settings):
    settings.DEBUG = False
    page = client.get("/commande/not-a-token/")
    assert page.status_code == 404
    assert 'href="/"' in page.content.decode() and "MIAS" in page.content.decode()


# ----------------------------------------------------------------------------- issue 12


class CountingHasher:
    """Counts the password hashes computed (the CPU cost an attacker can measure)."""

    def __init__(self, monkeypatch):
        from django.contrib.auth.hashers import MD5PasswordHasher

        self.calls = 0
        original = MD5PasswordHasher.encode

        def encode(hasher, password, salt):
            self.calls += 1
            return original(hasher, password, salt)

        monkeypatch.setattr(MD5PasswordHasher, "encode", encode)


def test_a_known_and_an_unknown_address_cost_the_same_hashing(client, user, monkeypatch):
    hashes = CountingHasher(monkeypatch)
    _login(client, "anna@x.example", "wrong")
    known = hashes.calls
    hashes.calls = 0
    _login(client, "nobody@x.example", "wrong")
    assert known > 0
    assert hashes.calls == known


def test_the_lock_holds_whichever_spelling_of_the_account_is_typed(client, user, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    for attempt in range(5):
        _login(client, "ANNA@x.example" if attempt % 2 else "anna", "wrong")
    for spelling in ("anna", "anna@x.example", "Anna@X.example"):
        page = _login(client, spelling, "right-pass-123")
        assert "_auth_user_id" not in client.session, spelling
        assert page.context["form"].errors["__all__"][0].startswith(
            ("Too many failed attempts", "Trop de tentatives")
        )


def test_security_counters_are_shared_by_every_worker(client, user):
    """In the database (or Redis), never in one process's memory: a second worker (another
    connection to the store) sees the failures counted by the first."""
    from django.core.cache.backends.db import DatabaseCache
    from django.core.cache.backends.redis import RedisCache

    from mias.ratelimit import count, counters
    from mias.security import _key

    assert isinstance(counters(), DatabaseCache | RedisCache)
    _login(client, "anna@x.example", "wrong")
    _login(client, "anna", "wrong")
    from django.core.cache import caches

    other_worker = caches.create_connection("security")
    entry = other_worker.get(_key("anna"))
    assert entry == 2 or entry[0] == 2
    assert count(_key("anna@x.example")) == 2


def test_production_settings_never_keep_security_counters_in_process_memory(tmp_path):
    import json
    import os
    import subprocess
    import sys

    from django.conf import settings

    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.CACHES['security']))"
    )
    for extra in ({"REDIS_URL": ""}, {"REDIS_URL": "redis://127.0.0.1:6379/9"}):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "mias.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
            **extra,
        }
        out = subprocess.run(
            [sys.executable, "-c", script],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        backend = json.loads(out.stdout.strip().splitlines()[-1])["BACKEND"]
        assert "locmem" not in backend.lower()


def test_sign_ins_are_throttled_per_address_before_any_hashing(
    client, user, settings, monkeypatch
):
    settings.RATE_LIMIT_LOGINS = 3
    settings.LOGIN_FAILURE_LIMIT = 100
    for _attempt in range(3):
        _login(client, "nobody@x.example", "wrong")
    hashes = CountingHasher(monkeypatch)
    page = _login(client, "anna", "right-pass-123")
    assert hashes.calls == 0
    assert "_auth_user_id" not in client.session
    assert page.context["form"].errors["__all__"][0].startswith(
        ("Too many sign-in attempts", "Trop de tentatives de connexion")
    )
    # The admin's login form too.
    client.post("/django-admin/login/", {"username": "anna", "password": "right-pass-123"})
    assert hashes.calls == 0 and "_auth_user_id" not in client.session
    # Another address still signs in, and the throttled tries did not lock the account.
    other = _login_from(client, "203.0.113.9", "anna", "right-pass-123")
    assert other.status_code == 302


def _login_from(client, address, username, password):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(rf, settings):
    from mias.ratelimit import client_ip

    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    direct = rf.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(direct) == "198.51.100.7"
    proxied = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    assert client_ip(proxied) == "198.51.100.7"
    chained = rf.get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="198.51.100.7, 10.0.0.5")
    assert client_ip(chained) == "198.51.100.7"
    settings.TRUSTED_PROXIES = []
    assert client_ip(proxied) == "127.0.0.1"


def test_a_client_reaching_gunicorn_directly_cannot_dodge_the_limit(client, settings):
    settings.RATE_LIMIT_LINK_REQUESTS = 2
    url = reverse("commissions:request_link")
    for i in range(2):
        client.post(url, {"email": "a@b.example"}, REMOTE_ADDR="198.51.100.7",
                    HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    from mias.ratelimit import count, key

    assert count(key("link", "198.51.100.7")) == 2
    assert count(key("link", "192.0.2.0")) == 0


@pytest.mark.django_db
def test_a_counter_keeps_its_whole_window_in_the_shared_cache(settings):
    import time

    from mias.ratelimit import count, counters, hit

    assert [hit("rl:test:x", 3600) for _i in range(3)] == [1, 2, 3]
    assert count("rl:test:x") == 3
    entry = counters().get("rl:test:x")
    if isinstance(entry, tuple):  # the database cache: the window's end travels with the count
        assert 3590 < entry[1] - time.time() <= 3600
