"""The lab's library: consenting, selected commissions of finished years list themselves on
the call pages; the coordinator hides or edits them; erasure scrubs them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from factories import make_call, make_commission, valid_submission

from cms.models import CallPage
from commissions.models import Commission, KeyDate, PastConsultancy
from commissions.privacy.contacts import erase_contact
from devtools.demo.history import build_history
from insights.library.library import candidates, sync
from insights.tasks import sync_library

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def finished(programme, vocab):
    """A finished year: two selected commissions (one consenting), a consenting decline."""
    call = make_call(programme, slug="mias-2028")
    call.academic_year, call.status = "2028-2029", "archived"
    call.save()
    yes = make_commission(
        call, vocab, institution_name="Oui", email="anne@oui.example", status="selected",
        library_consent=True, title="Bénévoles", question="Comment garder nos bénévoles ?",
    )  # fmt: skip
    no = make_commission(call, vocab, institution_name="Non", status="selected")
    declined = make_commission(
        call, vocab, institution_name="Refus", status="declined", library_consent=True
    )
    return call, yes, no, declined


def test_only_consenting_selected_commissions_of_finished_years_are_listed(
    programme, vocab, call, finished
):
    _old, yes, _no, _declined = finished
    running = make_commission(
        call, vocab, institution_name="En cours", status="selected", library_consent=True
    )
    assert list(candidates(programme)) == [yes]
    assert sync(programme) == 1 and sync(programme) == 0  # once
    entry = PastConsultancy.objects.get()
    assert entry.commission == yes and entry.academic_year == "2028-2029"
    assert entry.summary == "Bénévoles. Comment garder nos bénévoles ?"
    assert entry.sector == yes.sector
    # The year in progress joins once its lab has ended.
    call.status = "running"
    call.save()
    call.key_dates.filter(kind=KeyDate.Kind.END).update(starts_at=timezone.now() - timedelta(1))
    assert sync_library() == 1
    assert PastConsultancy.objects.filter(commission=running).exists()


def test_the_call_page_shows_listed_entries_and_not_hidden_ones(
    client, programme, call, finished, home
):
    page = home.add_child(instance=CallPage(title="Appel", slug="appel", call=call))
    assert "Comment garder nos bénévoles" not in client.get(page.url).content.decode()
    sync(programme)  # the page was cached before: the new entries still show
    assert "Comment garder nos bénévoles" in client.get(page.url).content.decode()
    for entry in PastConsultancy.objects.all():  # as the coordinators' toggle does
        entry.hidden = True
        entry.save(update_fields=["hidden"])
    assert "Comment garder nos bénévoles" not in client.get(page.url).content.decode()


def test_the_coordinator_sees_hides_and_shows_entries(client, coordinator, programme, finished):
    client.force_login(coordinator)
    page = client.get(reverse("insights:library", args=[programme.slug]))
    assert page.status_code == 200
    assert "1 commission(s) of finished years added to the library." in page.content.decode()
    entry = PastConsultancy.objects.get()
    toggle = reverse("insights:library_toggle", args=[programme.slug, entry.pk])
    assert client.post(toggle).status_code == 302
    entry.refresh_from_db()
    assert entry.hidden
    client.post(toggle)
    entry.refresh_from_db()
    assert not entry.hidden
    edited = "Texte revu par la coordination."
    PastConsultancy.objects.update(summary=edited)
    sync(programme)
    assert PastConsultancy.objects.get().summary == edited  # a later run leaves it alone


def test_an_entry_of_another_programme_cannot_be_toggled(client, coordinator, programme, vocab):
    from commissions.models import Programme

    other = Programme.objects.create(name="Autre", short_name="A", slug="autre")
    entry = PastConsultancy.objects.create(programme=other, sector=vocab["sectors"][0], summary="x")
    client.force_login(coordinator)
    toggle = reverse("insights:library_toggle", args=[programme.slug, entry.pk])
    assert client.post(toggle).status_code == 404


def test_the_form_asks_for_the_library_consent(client, call, vocab, broker):
    form = client.get(reverse("commissions:submit", args=[call.slug])).content.decode()
    assert 'name="library_consent"' in form
    data = valid_submission(call, vocab, library_consent="on")
    assert client.post(reverse("commissions:submit", args=[call.slug]), data).status_code == 302
    assert Commission.objects.get().library_consent is True


def test_erasing_the_contact_scrubs_the_entry_and_keeps_the_counts(programme, finished):
    _call, yes, _no, _declined = finished
    yes.question = "Anne nous demande : comment garder nos bénévoles ?"
    yes.contact_name = "Anne"
    yes.save()
    sync(programme)
    erase_contact("anne@oui.example")
    entry = PastConsultancy.objects.get()
    assert "Anne" not in entry.summary and entry.commission_id == yes.pk
    assert Commission.objects.filter(call=yes.call).count() == 3


def test_the_library_page_reads_a_bounded_number_of_queries(
    client, coordinator, programme, vocab, django_assert_max_num_queries
):
    build_history(programme, 2010, 6, per_year=10, places=4)
    client.force_login(coordinator)
    client.get(reverse("insights:library", args=[programme.slug]))  # lists the new ones
    with django_assert_max_num_queries(10):
        page = client.get(reverse("insights:library", args=[programme.slug]))
    assert len(page.context["entries"]) == PastConsultancy.objects.count() > 0
