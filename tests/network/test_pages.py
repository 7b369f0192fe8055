"""The network's pages: the public finder, the picture, the similar-work panel, the upload."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from factories import make_commission

from commissions.models import Commission, Institution, PastConsultancy

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def led(call, vocab, indexed):
    """Caritas led a selected commission (its contact person is private)."""
    commission = make_commission(
        call,
        vocab,
        title="Évaluer notre épicerie sociale",
        email="anne.private@caritas.example",
        contact_name="Anne Privée",
        status=Commission.Status.SELECTED,
    )
    caritas = Institution.objects.get(key="caritas-lu")
    Commission.objects.filter(pk=commission.pk).update(institution=caritas)
    return commission


def test_the_public_finder_shows_organisations_and_no_person(
    client, led, django_assert_max_num_queries
):
    url = reverse("network:finder") + "?q=épicerie+sociale+pour+familles+pauvres"
    client.get(url)
    with django_assert_max_num_queries(8):
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Caritas Luxembourg" in html and "Why:" in html and "Assises sociales" in html
    assert "Anne Privée" not in html and "anne.private" not in html
    assert "Évaluer notre épicerie sociale" not in html  # commissions: coordinators only


def test_coordinators_also_see_the_commissions(client, led, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("network:finder"), {"q": "épicerie sociale pour familles pauvres"})
    html = page.content.decode()
    assert "Évaluer notre épicerie sociale" in html and "Anne Privée" not in html


def test_the_finder_filters_and_refuses_bad_input_without_error(client, indexed):
    page = client.get(reverse("network:finder"), {"q": "logement", "country": "BE"})
    assert "No organisation matches" in page.content.decode()
    page = client.get(reverse("network:finder"), {"q": "x" * 600, "country": "ZZ"})
    assert page.status_code == 200 and "Select a valid choice" in page.content.decode()


def test_the_picture_draws_organisations_events_and_calls(
    client, led, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        page = client.get(reverse("network:picture"))
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html
    # Drawn without internet: no script or stylesheet from another host. (A bare "cdn" could
    # occur by chance in the page's random CSRF token.)
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', html)
    assert html.count('<a class="org"') == 33  # the directory; Caritas also through its call
    assert "Assises sociales (5e édition)" in html and "2030-2031" in html  # an event, a call
    housing = client.get(reverse("network:picture"), {"sector": "Logement"}).content.decode()
    assert 0 < housing.count('<a class="org"') < 10
    one = client.get(reverse("network:picture"), {"event": "alices-dag-3"}).content.decode()
    assert one.count('<a class="org"') == 3 and "2030-2031" not in one
    bad = client.get(reverse("network:picture"), {"year": "abc"})
    assert bad.status_code == 200 and "This filter is unknown" in bad.content.decode()


def test_the_similar_panel_shows_past_consultancies_and_organisations(client, indexed, programme):
    PastConsultancy.objects.create(
        programme=programme,
        sector=Institution.objects.get(key="fal").sector,
        summary="Accès au logement des familles à faibles revenus : un diagnostic",
    )
    page = client.get(
        reverse("network:similar"),
        {"title": "Logement des familles", "question": "faibles revenus et accès au logement"},
    )
    html = page.content.decode()
    assert "un diagnostic" in html and "Fondation pour l&#x27;accès au logement" in html
    assert client.get(reverse("network:similar"), {"q": "ab"}).content.decode().strip() == ""


def test_the_submission_form_asks_for_similar_work_while_typing(client, call):
    html = client.get(call.get_submit_url()).content.decode()
    assert 'hx-get="/reseau/similaires/"' in html and "htmx-2.min.js" in html


def directory_file(organisations, events=()):
    content = json.dumps({"organisations": organisations, "events": list(events)}).encode()
    return SimpleUploadedFile("directory.json", content, content_type="application/json")


def test_coordinators_upload_a_directory_with_row_errors_then_a_good_one(client, coordinator):
    client.force_login(coordinator)
    url = reverse("network:directory_upload")
    good = {"key": "relais", "name": "Relais", "sectors": ["jeunesse"], "country": "LU"}
    bad = {**good, "key": "bad key"}
    page = client.post(url, {"file": directory_file([good, bad])})
    html = page.content.decode()
    assert page.status_code == 400 and "organisation 2" in html and "Nothing was imported" in html
    assert not Institution.objects.exists()
    page = client.post(url, {"file": directory_file([good])}, follow=True)
    assert "1 new" in page.content.decode()
    page = client.post(url, {"file": directory_file([good])}, follow=True)
    assert "0 new, 0 updated, 1 unchanged" in page.content.decode()
    assert Institution.objects.get(key="relais").country == "LU"
    assert "has read 0 of 1 organisations" in page.content.decode()  # indexing: a task
    assert client.post(url, {}).status_code == 200  # the form's own message
    template = client.get(reverse("network:directory_template"))
    assert template["Content-Disposition"].endswith('organisations.xlsx"')
