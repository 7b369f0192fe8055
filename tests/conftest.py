"""Shared fixtures: a call like the seed's, and a way to run the queued tasks."""

import pytest
from django.core.cache import cache
from django_q.brokers import get_broker
from factories import (
    make_call,
    publish_cohort,
)

from commissions.models import (
    CommissionType,
    InterventionContext,
    Programme,
    Sector,
)
from mias.ratelimit import counters

DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path, request):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    # Every account a test makes is hashed with a fast hasher (PBKDF2 costs ~0.3 s each).
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()
    # The security counters live in the database cache: rolled back with each test's
    # transaction, but a transactional test (live server) commits them, so they start afresh.
    if request.node.get_closest_marker("django_db") or DATABASE_FIXTURES & set(
        request.fixturenames
    ):
        request.getfixturevalue("django_db_setup")
        with request.getfixturevalue("django_db_blocker").unblock():
            counters().clear()
    yield
    cache.clear()


@pytest.fixture
def broker(db):
    queue = get_broker()
    queue.purge_queue()
    yield queue
    queue.purge_queue()


@pytest.fixture
def vocab(db):
    return {
        "sectors": [
            Sector.objects.create(name=n, order=i)
            for i, n in enumerate(
                ["CPAS", "Alphabétisation", "Aide à la jeunesse", "Santé mentale"]
            )
        ],
        "types": [
            CommissionType.objects.create(name=n, order=i)
            for i, n in enumerate(
                ["Une question", "Un problème à résoudre", "Une étude de faisabilité"]
            )
        ],
        "contexts": [
            InterventionContext.objects.create(name=n, order=i)
            for i, n in enumerate(["Résidentiel", "Travail de rue", "Réseau"])
        ],
    }


@pytest.fixture
def coordinator(django_user_model, programme):
    from commissions.roles import make_coordinator

    user = django_user_model.objects.create_user("coord", "coord@mias.example", "pw-coord-123")
    make_coordinator(user, programme)
    return user


@pytest.fixture
def english(client, settings):
    """Pages and messages in English, for the assertions; e-mails keep each person's language.

    Modules that read English texts use it: pytest.mark.usefixtures("english")."""
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def home(db):
    """The site's home page, which the tests' call pages hang under (the browser tests have
    their own, for a database a transactional test may have flushed)."""
    from wagtail.models import Page, Site

    from cms.models import HomePage

    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Accueil", slug="accueil"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": home}
    )
    return home


@pytest.fixture
def programme(db):
    return Programme.objects.create(name="MIAS 1", short_name="MIAS", slug="mias-1")


@pytest.fixture
def call(programme, vocab):
    return make_call(programme)


@pytest.fixture
def teams(call, vocab, coordinator):
    return publish_cohort(call, vocab, coordinator)
