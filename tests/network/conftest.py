import pytest
from django.conf import settings

from network.directory import importing
from network.finder import indexing

DIRECTORY = settings.BASE_DIR / "fixtures" / "network" / "organisations.json"


@pytest.fixture
def directory(db):
    """The demo directory in the registry (33 organisations, 4 events), not yet indexed."""
    return importing.apply(importing.read(DIRECTORY.read_bytes(), "organisations.json"))


@pytest.fixture
def indexed(directory):
    indexing.index_all()
    return directory


@pytest.fixture(autouse=True)
def _english():
    """The assertions read the English messages of the pure modules (French is the default)."""
    from django.utils import translation

    with translation.override("en"):
        yield
