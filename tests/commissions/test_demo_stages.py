"""The demo stopped at an earlier stage of the year (apart: the other demo tests share one
fully loaded demo)."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from commissions.models import Call, Commission

pytestmark = pytest.mark.django_db


def test_demo_can_stop_at_the_ranking_stage(db, client):
    call_command("load_demo", "--stage", "ranking", stdout=open("/dev/null", "w"))
    cohort = Call.objects.get(status=Call.Status.SELECTING)
    assert cohort.commissions.filter(status=Commission.Status.SELECTED).count() == 10
    assert cohort.preferences_deadline > timezone.now()
    assert client.login(username="etudiante", password="mias-student-2024")
    page = client.get(client.get(reverse("teams:my_space")).url)
    assert page.status_code == 200 and page.context["has_ranked"]
