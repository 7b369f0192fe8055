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
