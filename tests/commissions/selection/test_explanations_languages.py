"""A run's explanations are stored as codes and numbers and read in the reader's language;
runs stored as text before are converted, and what cannot be read stays as it was."""

import json
import random

import pytest
from django.utils import translation
from factories import make_cohort, make_commission

from commissions.models import Criterion, SelectionRun
from commissions.review import reviewing
from commissions.selection import selecting
from mias.i18n import Message, convert_legacy_results, render
from teams.forming import allocating
from teams.models import AllocationRun

pytestmark = pytest.mark.django_db
LANGUAGES = ["fr", "en", "de"]


@pytest.fixture
def selection_run(call, vocab, coordinator):
    criteria = list(call.criteria.filter(kind=Criterion.Kind.REVIEWER))
    for i in range(12):
        commission = make_commission(
            call,
            vocab,
            institution_name=f"Institution {i}",
            email=f"c{i}@x.example",
            title=f"Question {i} " + ["logement", "emploi", "santé", "école"][i % 4],
            question=f"Sujet {i} " * 3,
            sector=vocab["sectors"][i % 4],
            commission_type=vocab["types"][i % 3],
            intervention_context=vocab["contexts"][i % 3],
        )
        reviewing.record_review_submission(commission, coordinator, {c.pk: 3 for c in criteria}, {})
    call.places = 5
    call.save()
    return selecting.run_selection(call, coordinator, selecting.default_params(call))


def texts(run, language, keys, maps):
    with translation.override(language):
        out = {key: render(run.result.get(key)) for key in keys}
        for key in maps:
            out.update({f"{key}:{k}": render(v) for k, v in run.result.get(key, {}).items()})
    return out


def test_the_stored_selection_is_data_not_text(selection_run):
    result = selection_run.result
    assert isinstance(result["summary"], dict)
    assert all(isinstance(v, dict) for v in result["explanations"].values())
    json.dumps(result)  # plain JSON


def test_the_same_selection_run_reads_in_french_english_and_german(selection_run):
    pk = selection_run.result["selected"][0]
    said = {}
    for language in LANGUAGES:
        with translation.override(language):
            said[language] = (selection_run.summary_text, selecting.explanation(selection_run, pk))
    assert "5 commandes sélectionnées" in said["fr"][0]
    assert "5 commissions selected" in said["en"][0]
    assert "5 Aufträge von" in said["de"][0]
    assert said["fr"][1].startswith("Sélectionnée") or said["fr"][1].startswith("Sélectionné")
    assert said["en"][1].startswith("Selected: merit 3.00")
    assert said["de"][1].startswith("Ausgewählt: Verdienst 3,00")  # the German decimal comma
    assert "mérite 3,00" in said["fr"][1]


def test_the_same_allocation_run_reads_in_three_languages(call, vocab, coordinator):
    make_cohort(call, vocab, commissions=3, students=12, supervisors=3)
    run = allocating.run_allocation(call, coordinator)
    assert isinstance(run.result["summary"], dict)
    student = next(iter(run.result["explanations"]))
    read = {}
    for language in LANGUAGES:
        with translation.override(language):
            read[language] = (run.summary_text, render(run.result["explanations"][student]))
    assert "students got their 1st choice" in read["en"][0]
    assert "Studierenden" in read["de"][0] and "Wahl" in read["de"][0]
    assert "choix" in read["fr"][0]
    assert read["fr"][1] != read["en"][1] != read["de"][1]


def as_old_text(run, language, keys, maps):
    """What the code stored before: the sentences in one language."""
    with translation.override(language):
        result = dict(run.result)
        for key in keys:
            result[key] = render(result.get(key))
        for key in maps:
            result[key] = {k: render(v) for k, v in result.get(key, {}).items()}
    return result


@pytest.mark.parametrize("written_in", ["fr", "en"])
def test_old_selection_runs_are_converted(selection_run, written_in):
    keys, maps = ["summary", "reason"], ["explanations"]
    expected = {lang: texts(selection_run, lang, keys, maps) for lang in LANGUAGES}
    SelectionRun.objects.filter(pk=selection_run.pk).update(
        result=as_old_text(selection_run, written_in, keys, maps)
    )
    convert_legacy_results(SelectionRun, keys, maps)
    converted = SelectionRun.objects.get(pk=selection_run.pk)
    assert isinstance(converted.result["summary"], dict)
    for language in LANGUAGES:
        assert texts(converted, language, keys, maps) == expected[language]


def test_old_allocation_runs_are_converted(call, vocab, coordinator):
    make_cohort(call, vocab, commissions=3, students=12, supervisors=3)
    run = allocating.run_allocation(call, coordinator)
    keys = ["summary", "reason", "supervisor_reason"]
    maps = ["explanations", "supervisor_explanations"]
    expected = {lang: texts(run, lang, keys, maps) for lang in LANGUAGES}
    AllocationRun.objects.filter(pk=run.pk).update(result=as_old_text(run, "fr", keys, maps))
    convert_legacy_results(AllocationRun, keys, maps)
    converted = AllocationRun.objects.get(pk=run.pk)
    for language in LANGUAGES:
        assert texts(converted, language, keys, maps) == expected[language]


def test_text_that_cannot_be_read_is_kept_as_it_was(selection_run):
    result = dict(selection_run.result)
    result["summary"] = "Choix fait à la main en réunion du 3 mai."
    SelectionRun.objects.filter(pk=selection_run.pk).update(result=result)
    convert_legacy_results(SelectionRun, ["summary"], [])
    kept = SelectionRun.objects.get(pk=selection_run.pk)
    for language in LANGUAGES:
        with translation.override(language):
            assert kept.summary_text == "Choix fait à la main en réunion du 3 mai."


def test_messages_survive_copies_and_behave_as_text():
    import copy

    from mias.i18n import join, message

    with translation.override("en"):
        made = message("and %(count)d more") % {"count": random.randint(2, 9)}
        both = join("; ", [made, "x"])
        assert isinstance(copy.deepcopy(both), Message)
        assert copy.deepcopy(both).data == both.data
        assert str(both).startswith("and ") and "; x" in both


def test_sectors_in_explanations_follow_the_reader_too(call, vocab, coordinator):
    for sector in vocab["sectors"]:
        sector.translations = {"de": {"name": f"Sektor {sector.name[:4]}"}}
        sector.save()
    criteria = list(call.criteria.filter(kind=Criterion.Kind.REVIEWER))
    for i in range(3):
        commission = make_commission(
            call, vocab, institution_name=f"I{i}", email=f"i{i}@x.example", title=f"Q{i}"
        )
        commission.sector = vocab["sectors"][i]
        commission.save()
        reviewing.record_review_submission(commission, coordinator, {c.pk: 3 for c in criteria}, {})
    run = selecting.run_selection(call, coordinator, selecting.default_params(call))
    pk = run.result["selected"][0]
    with translation.override("de"):
        german = selecting.explanation(run, pk)
    with translation.override("fr"):
        french = selecting.explanation(run, pk)
    assert "Sektor " in german and "Sektor " not in french


def test_sectors_in_team_explanations_follow_the_reader(call, vocab, coordinator):
    for sector in vocab["sectors"]:
        sector.translations = {"de": {"name": f"Sektor {sector.name[:4]}"}}
        sector.save()
    make_cohort(call, vocab, commissions=3, students=12, supervisors=3)
    run = allocating.run_allocation(call, coordinator)
    said = run.result["supervisor_explanations"].values()
    with translation.override("de"):
        german = " ".join(render(text) for text in said)
    with translation.override("fr"):
        french = " ".join(render(text) for text in said)
    assert "Sektor " in german and "Sektor " not in french
