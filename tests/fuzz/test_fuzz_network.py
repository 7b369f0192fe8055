"""The network's public pages under hostile query strings: never a 500, never raw markup."""

import pytest
from django.conf import settings
from django.urls import reverse
from fuzzing import FUZZ, assert_no_raw_markup, texts, values
from hypothesis import given
from hypothesis import strategies as st

from network.directory import importing

pytestmark = pytest.mark.django_db
DIRECTORY = settings.BASE_DIR / "fixtures" / "network" / "organisations.json"
NAMES = ["q", "country", "town", "sector", "people", "language", "year", "event", "title",
         "question", "only"]  # fmt: skip


@pytest.fixture
def directory(db, settings):
    settings.PARTNER_FINDER_DENSE = False  # the lexical path: fast, and the one always there
    importing.apply(importing.read(DIRECTORY.read_bytes(), "organisations.json"))


@FUZZ
@given(
    page=st.sampled_from(["network:finder", "network:picture", "network:similar"]),
    params=st.dictionaries(st.sampled_from(NAMES), st.one_of(texts(), values()), max_size=4),
)
def test_network_pages_answer_any_query_string(client, directory, page, params):
    response = client.get(reverse(page), params)
    assert response.status_code == 200
    assert_no_raw_markup(response)
