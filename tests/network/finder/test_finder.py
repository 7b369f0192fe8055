"""The finder on the registry: the command, the stored vectors, the lexical fallback."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from factories import make_commission, queued_tasks, run_queued

from commissions.models import Institution
from network.finder import dense, searching
from network.models import OrganisationVector

pytestmark = pytest.mark.django_db
GERMAN = "Langzeitarbeitslose mit Gartenarbeit und Gemüseanbau wieder in Arbeit bringen"


def find_json(*args):
    out = StringIO()
    call_command("find_partners", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_a_german_request_puts_the_french_described_organisation_in_the_top_3(indexed):
    results = find_json(GERMAN, "--limit", "3")
    assert "co-labor" in [r["key"] for r in results]
    co_labor = next(r for r in results if r["key"] == "co-labor")
    assert set(co_labor) == {"key", "name", "score", "why"}
    assert co_labor["name"] == "Co-Labor" and co_labor["why"].endswith(".")
    assert Institution.objects.get(key="co-labor").descriptions.keys() == {"fr"}


def test_filters_of_the_command(indexed):
    assert find_json("jeunes", "--country", "BE") == []
    sector = find_json("accompagnement social", "--sector", "logement", "--limit", "5")
    assert {r["key"] for r in sector} <= {"fal", "wunnengshellef", "cnds", "ville-lux-social"}
    assert sector


def test_the_command_refuses_an_empty_request_or_a_bad_limit(db):
    with pytest.raises(CommandError):
        call_command("find_partners", "  ")
    with pytest.raises(CommandError):
        call_command("find_partners", "logement", "--limit", "0")


def test_without_the_model_the_lexical_path_still_answers(directory, settings):
    settings.PARTNER_FINDER_DENSE = False
    assert not OrganisationVector.objects.exists()
    results = searching.find("surendettement des ménages", limit=3)
    assert results[0]["key"] == "lms"


def test_a_model_that_cannot_load_leaves_the_lexical_path(directory, monkeypatch):
    monkeypatch.setitem(dense._state, "encoder", None)
    monkeypatch.setitem(dense._state, "failed", False)

    def broken():
        raise OSError("weights missing")

    monkeypatch.setattr(dense, "_load", broken)
    assert searching.find("surendettement des ménages", limit=1)[0]["key"] == "lms"
    assert dense._state["failed"]


def test_editing_an_organisation_queues_its_reindexing(
    indexed, broker, django_capture_on_commit_callbacks
):
    queued_tasks(broker)
    lms = Institution.objects.get(key="lms")
    before = OrganisationVector.objects.get(institution=lms).digest
    with django_capture_on_commit_callbacks(execute=True):
        lms.descriptions = {"de": "Schuldnerberatung für überschuldete Haushalte."}
        lms.save()
        lms.sectors.clear()
    assert set(run_queued(broker)) == {"network.tasks.index_organisation"}
    assert OrganisationVector.objects.get(institution=lms).digest != before
    found = searching.find("Schuldnerberatung", limit=1)
    assert found[0]["key"] == "lms"


def test_a_search_costs_a_bounded_number_of_queries(indexed, django_assert_max_num_queries):
    searching.find("logement", limit=10)
    with django_assert_max_num_queries(3):
        searching.find("Wohnung für Familien", limit=10)


def test_coordinators_also_see_the_commissions_an_organisation_led(call, vocab, indexed):
    commission = make_commission(call, vocab, title="Évaluer notre épicerie sociale")
    caritas = Institution.objects.get(key="caritas-lu")
    commission.institution.commissions.update(institution=caritas)
    public = searching.find("épicerie sociale pauvreté", limit=3)
    inside = searching.find("épicerie sociale pauvreté", limit=3, coordinator=True)
    assert all(not r["commissions"] for r in public)
    caritas_inside = next(r for r in inside if r["key"] == "caritas-lu")
    assert "Évaluer notre épicerie sociale" in caritas_inside["commissions"][0]
    assert "Évaluer notre épicerie sociale" in caritas_inside["why"]


def test_the_finder_sees_a_change_of_sectors_without_vectors(directory, settings):
    settings.PARTNER_FINDER_DENSE = False
    assert searching.find("logement", sector="Logement", limit=10)
    fal = Institution.objects.get(key="fal")
    fal.sectors.clear()
    keys = [r["key"] for r in searching.find("logement", sector="Logement", limit=10)]
    assert "fal" not in keys
