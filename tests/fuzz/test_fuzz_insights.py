"""Bad input across years (issue 16): the analytics' and copy screen's query strings, the
students' survey and the institution's last question.

Properties: never a 500; nothing typed comes back unescaped; a refused form writes nothing.
"""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone
from fuzzing import FUZZ, URL_PAYLOADS, assert_no_raw_markup, post, rolled_back, values
from hypothesis import event, given
from hypothesis import strategies as st

from commissions.models import AccessToken, Call
from insights.models import OralFeedback, SurveyAnswer
from teams.models import Milestone

pytestmark = pytest.mark.django_db

SURVEY_FIELDS = [
    "commission_rating", "supervisor_rating", "team_rating", "satisfaction", "learnt", "comments",
]  # fmt: skip


@FUZZ
@given(
    page=st.sampled_from(["analytics", "download", "organisations", "prepare", "library"]),
    params=st.one_of(
        st.dictionaries(
            st.sampled_from(["from", "to", "years", "page"]), values(URL_PAYLOADS), max_size=3
        ).map(lambda d: urlencode(d, doseq=True)),
        st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
        st.sampled_from(["years=%C2%B2", "years=1e9", "from=%00&to=%ff", "page=-1"]),
    ),
)
def test_query_strings_across_years(client, coordinator, call, teams, page, params):
    client.force_login(coordinator)
    programme = call.programme.slug
    url = {
        "analytics": reverse("insights:analytics", args=[programme]),
        "download": reverse("insights:analytics_download", args=[programme, "all"]),
        "organisations": reverse("insights:organisations", args=[programme]),
        "prepare": reverse("insights:prepare", args=[call.slug]),
        "library": reverse("insights:library", args=[programme]),
    }[page]
    with rolled_back():
        response = client.get(url, QUERY_STRING=params)
        event(f"status {response.status_code}")
        assert response.status_code == 200
        if page != "download":
            assert_no_raw_markup(response)


@FUZZ
@given(data=st.dictionaries(st.sampled_from(SURVEY_FIELDS + ["peer_1"]), values(), max_size=7))
def test_the_survey_form(client, call, teams, data):
    student = teams[0].members.first()
    client.force_login(student.user)
    with rolled_back():
        response = post(client, reverse("insights:survey", args=[call.slug]), data)
        event(f"status {response.status_code}")
        assert response.status_code in (302, 400)
        if response.status_code == 400:
            assert not SurveyAnswer.objects.exists()
            assert_no_raw_markup(response)


@FUZZ
@given(data=st.dictionaries(st.sampled_from(["usefulness", "comment"]), values(), max_size=2))
def test_the_institutions_last_question(client, call, teams, data):
    team = teams[0]
    Milestone.objects.filter(team=team, key_date__kind="oral").update(
        starts_at=timezone.now() - timedelta(days=1)
    )
    token = AccessToken.issue(team.commission)
    with rolled_back():
        response = post(client, reverse("insights:oral_feedback", args=[token]), data)
        event(f"status {response.status_code}")
        assert response.status_code in (302, 400)
        if response.status_code == 400:
            assert not OralFeedback.objects.exists()
            assert_no_raw_markup(response)
    assert Call.objects.count() == 1
