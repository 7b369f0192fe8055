import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from factories import run_queued
from openpyxl import load_workbook

from commissions.models import (
    Call,
    Commission,
    Criterion,
    Email,
    Institution,
    Note,
    Review,
    ReviewAssignment,
    Sector,
)
from commissions.review import reviewing
from commissions.review.reviewing import CriterionSpec, aggregate
from commissions.selection import selecting

pytestmark = pytest.mark.django_db
TOPICS = ["jeunesse", "logement", "santé", "emploi", "culture"]
SUBJECTS = ["absentéisme", "bénévolat", "réseau", "hiver"]


def add_commissions(call, vocab, count, start=0):
    sectors = list(vocab["sectors"]) + [
        Sector.objects.get_or_create(name=f"Secteur {i}")[0] for i in range(6)
    ]
    institution = Institution.objects.create(
        name="Institution témoin", legal_form="asbl", sector=sectors[0], address="x", city="Namur"
    )
    rows = [
        Commission(
            call=call,
            reference=f"T-{start + i:04d}",
            institution=institution,
            contact_name=f"Contact {i}",
            contact_role="Dir",
            contact_email=f"c{start + i}@x.example",
            contact_phone="0",
            title=f"Problème numéro {start + i} {TOPICS[i % len(TOPICS)]}",
            question=f"Question {i} sur {SUBJECTS[i % len(SUBJECTS)]} ?",
            context="c",
            expected_outcome="e",
            sector=sectors[i % len(sectors)],
            commission_type=vocab["types"][i % 3],
            intervention_context=vocab["contexts"][i % 3],
            languages=["fr"],
        )
        for i in range(count)
    ]
    return Commission.objects.bulk_create(rows)


@pytest.fixture
def reviewer(django_user_model):
    return django_user_model.objects.create_user("rev", "rev@x.example", "pw-rev-123")


def score_all(call, user, commissions, value=3):
    criteria = list(call.criteria.filter(kind=Criterion.Kind.REVIEWER))
    for c in commissions:
        reviewing.record_review_submission(c, user, {cr.pk: value for cr in criteria}, {})


def test_aggregate_weighted_mean_spread_and_elimination():
    specs = [CriterionSpec(1, 2.0, 0, 4, eliminatory=True), CriterionSpec(2, 1.0, 0, 4)]
    rows = [
        (10, "a", 1, 4),
        (10, "a", 2, 2),
        (10, "b", 1, 2),
        (10, "b", 2, 2),
        (11, "a", 1, 0),
        (11, "a", 2, 4),
    ]
    result = aggregate(rows, specs)
    assert result[10].per_criterion == {1: 3.0, 2: 2.0}
    assert result[10].merit == pytest.approx((2 * 3 + 1 * 2) / 3)
    assert result[10].spread == pytest.approx((2 * 4 + 2) / 3 - (2 * 2 + 2) / 3)
    assert result[10].count == 2 and result[10].eligible
    assert not result[11].eligible and result[11].eliminated_by == ["a"]


def test_reviewer_sees_others_scores_only_after_submitting(
    client, call, vocab, coordinator, reviewer
):
    (commission,) = add_commissions(call, vocab, 1)
    score_all(call, coordinator, [commission], value=1)
    Review.objects.filter(reviewer=coordinator).update(comment="secret comment")
    ReviewAssignment.objects.create(commission=commission, reviewer=reviewer)
    client.force_login(reviewer)
    url = reverse("commissions:review_commission", args=[call.slug, commission.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["others"] == [] and page.context["others_hidden"]
    assert "secret comment" not in page.content.decode()
    table = client.get(reverse("commissions:review_table", args=[call.slug]))
    assert table.context["rows"][0]["merit"] is None
    criterion = call.criteria.get(kind="reviewer")
    assert client.post(url, {f"score_{criterion.pk}": 4}).status_code == 302
    page = client.get(url)
    assert "secret comment" in page.content.decode()
    assert ReviewAssignment.objects.get(reviewer=reviewer).submitted_at is not None


def test_scores_outside_the_scale_are_refused(client, call, vocab, coordinator):
    (commission,) = add_commissions(call, vocab, 1)
    client.force_login(coordinator)
    criterion = call.criteria.get(kind="reviewer")
    url = reverse("commissions:review_commission", args=[call.slug, commission.pk])
    for bad in ("9", "-1", "abc", ""):
        response = client.post(url, {f"score_{criterion.pk}": bad})
        assert response.status_code == 200
        assert response.context["form"].errors
    assert not Review.objects.exists()


def test_unassigned_user_cannot_open_workspace_or_commission(client, call, vocab, reviewer):
    (commission,) = add_commissions(call, vocab, 1)
    client.force_login(reviewer)
    assert client.get(reverse("commissions:review_table", args=[call.slug])).status_code == 403
    url = reverse("commissions:review_commission", args=[call.slug, commission.pk])
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_notes_are_for_coordinators_only(client, call, vocab, coordinator, reviewer):
    (commission,) = add_commissions(call, vocab, 1)
    client.force_login(coordinator)
    client.post(
        reverse("commissions:add_note", args=[call.slug, commission.pk]),
        {"text": "Appel téléphonique : très motivés"},
    )
    assert Note.objects.get().author == coordinator
    ReviewAssignment.objects.create(commission=commission, reviewer=reviewer)
    client.force_login(reviewer)
    page = client.get(reverse("commissions:review_commission", args=[call.slug, commission.pk]))
    assert "très motivés" not in page.content.decode()
    response = client.post(
        reverse("commissions:add_note", args=[call.slug, commission.pk]), {"text": "x"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("count", [20, 500])
def test_review_table_queries_are_bounded(
    client, call, vocab, coordinator, count, django_assert_max_num_queries
):
    commissions = add_commissions(call, vocab, count)
    score_all(call, coordinator, commissions[:10])
    client.force_login(coordinator)
    with django_assert_max_num_queries(14):
        response = client.get(
            reverse("commissions:review_table", args=[call.slug]), {"sort": "merit"}
        )
    assert len(response.context["rows"]) == min(count, 50)
    assert response.context["page"].paginator.count == count


def test_commission_page_queries_are_bounded(
    client, call, vocab, coordinator, django_assert_max_num_queries
):
    commissions = add_commissions(call, vocab, 60)
    score_all(call, coordinator, commissions)
    client.force_login(coordinator)
    url = reverse("commissions:review_commission", args=[call.slug, commissions[0].pk])
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200


def run(call, user, **overrides):
    params = selecting.default_params(call)
    params.update(overrides)
    return selecting.run_selection(call, user, params)


def test_ineligible_commissions_are_never_selected(call, vocab, coordinator):
    call.places = 3
    call.save()
    commissions = add_commissions(call, vocab, 6)
    score_all(call, coordinator, commissions[1:], value=2)
    criteria = list(call.criteria.filter(kind="reviewer"))
    reviewing.record_review_submission(commissions[0], coordinator, {c.pk: 0 for c in criteria}, {})
    result = run(call, coordinator).result
    assert commissions[0].pk not in result["selected"]
    assert commissions[0].pk in result["ineligible"]
    assert len(result["selected"]) == 3
    pinned = run(call, coordinator, pinned=[commissions[0].pk])
    assert not pinned.feasible and pinned.result["reason"]


def test_pins_and_exclusions_hold(call, vocab, coordinator):
    call.places = 3
    call.save()
    commissions = add_commissions(call, vocab, 8)
    score_all(call, coordinator, commissions)
    best = run(call, coordinator).result["selected"]
    outsider = next(c.pk for c in commissions if c.pk not in best)
    again = run(call, coordinator, pinned=[outsider], excluded=[best[0]]).result
    assert outsider in again["selected"] and best[0] not in again["selected"]


def test_confirmation_applies_decisions_once_and_queues_each_email_once(
    call, vocab, coordinator, broker, django_capture_on_commit_callbacks
):
    call.places = 2
    call.save()
    commissions = add_commissions(call, vocab, 6)
    score_all(call, coordinator, commissions)
    selection_run = run(call, coordinator, waitlist_size=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert selecting.confirm_run(selection_run, coordinator) == 6
    statuses = sorted(Commission.objects.values_list("status", flat=True))
    assert statuses.count("selected") == 2 and statuses.count("waitlisted") == 2
    assert statuses.count("declined") == 2
    waiting = Commission.objects.filter(status="waitlisted").order_by("waitlist_position")
    assert [c.waitlist_position for c in waiting] == [1, 2]
    assert Email.objects.filter(kind__startswith="decision_").count() == 6
    with pytest.raises(selecting.AlreadyConfirmed):
        selecting.confirm_run(selection_run, coordinator)
    run_queued(broker)
    assert sorted(len(m.to) for m in mail.outbox) == [1] * 6
    kinds = {m.to[0]: m.subject for m in mail.outbox}
    assert len(kinds) == 6
    call.refresh_from_db()
    assert call.status == Call.Status.SELECTING
    history = waiting[0].events.filter(to_status="waitlisted")
    assert history.get().actor == coordinator


def test_a_stale_run_is_refused_and_nothing_changes(call, vocab, coordinator):
    call.places = 2
    call.save()
    commissions = add_commissions(call, vocab, 4)
    score_all(call, coordinator, commissions)
    selection_run = run(call, coordinator)
    score_all(call, coordinator, commissions[:1], value=1)  # a score changes
    with pytest.raises(selecting.StaleRun):
        selecting.confirm_run(selection_run, coordinator)
    assert set(Commission.objects.values_list("status", flat=True)) == {"under_review"}
    assert not Email.objects.exists()


def test_confirmation_is_atomic(call, vocab, coordinator, monkeypatch):
    call.places = 2
    call.save()
    commissions = add_commissions(call, vocab, 4)
    score_all(call, coordinator, commissions)
    selection_run = run(call, coordinator)
    calls = {"n": 0}
    original = Commission.set_status

    def failing(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker died")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Commission, "set_status", failing)
    with pytest.raises(RuntimeError):
        selecting.confirm_run(selection_run, coordinator)
    assert set(Commission.objects.values_list("status", flat=True)) == {"under_review"}
    assert not Email.objects.exists()
    selection_run.refresh_from_db()
    assert selection_run.confirmed_at is None


def test_selection_pages_walk(client, call, vocab, coordinator):
    call.places = 2
    call.save()
    commissions = add_commissions(call, vocab, 5)
    score_all(call, coordinator, commissions)
    client.force_login(coordinator)
    home = reverse("commissions:selection", args=[call.slug])
    form = client.get(home).context["form"]
    data = {
        k: v for k, v in form.initial.items() if v is not None and k not in ("pinned", "excluded")
    }
    assert client.post(home, data).status_code == 302
    data["pinned"] = [commissions[4].pk]
    data["excluded"] = [commissions[4].pk]
    response = client.post(home, data)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    data.pop("excluded")
    client.post(home, data)
    page = client.get(reverse("commissions:selection_run", args=[call.slug, 2]))
    assert [r["commission"].pk for r in page.context["selected"]].count(commissions[4].pk) == 1
    compare = client.get(reverse("commissions:compare_runs", args=[call.slug]) + "?a=1&b=2")
    assert compare.status_code == 200
    # Either run can be confirmed from the comparison.
    for number in (1, 2):
        assert reverse("commissions:confirm_run", args=[call.slug, number]) in (
            compare.content.decode()
        )
    assert (
        client.get(reverse("commissions:compare_runs", args=[call.slug]) + "?a=1&b=99").status_code
        == 404
    )
    confirm = client.get(reverse("commissions:confirm_run", args=[call.slug, 2]))
    assert confirm.status_code == 200 and confirm.context["previews"]
    assert client.post(reverse("commissions:confirm_run", args=[call.slug, 2])).status_code == 302
    outbox = client.get(reverse("commissions:outbox", args=[call.slug]))
    assert len(outbox.context["emails"]) == 5
    email = outbox.context["emails"][0]
    resend = reverse("commissions:resend_email", args=[call.slug, email.pk])
    client.post(resend)  # still queued: no second copy
    assert Email.objects.filter(kind=email.kind, to=email.to).count() == 1
    Email.objects.filter(pk=email.pk).update(status=Email.Status.SENT)
    assert client.post(resend).context["email"] == email  # asks first
    assert Email.objects.filter(kind=email.kind, to=email.to).count() == 1
    client.post(resend, {"confirm": "1"})
    assert Email.objects.filter(kind=email.kind, to=email.to).count() == 2


def test_custom_decision_template_is_used(
    call, vocab, coordinator, broker, django_capture_on_commit_callbacks
):
    from commissions.models import MessageTemplate

    MessageTemplate.objects.create(
        programme=call.programme,
        kind="decision_selected",
        language="fr",
        subject="Bonne nouvelle pour {institution}",
        body="Bonjour {contact_name}, c'est oui. {link}",
    )
    call.places = 1
    call.save()
    commissions = add_commissions(call, vocab, 2)
    score_all(call, coordinator, commissions)
    with django_capture_on_commit_callbacks(execute=True):
        selecting.confirm_run(run(call, coordinator), coordinator)
    run_queued(broker)
    subjects = [m.subject for m in mail.outbox]
    assert "Bonne nouvelle pour Institution témoin" in subjects


def test_export_holds_every_submission_and_escapes_formulas(client, call, vocab, coordinator):
    import io

    commissions = add_commissions(call, vocab, 12)
    Commission.objects.filter(pk=commissions[0].pk).update(
        title='=HYPERLINK("http://x")', contact_phone="+32 81 22 33 44"
    )
    score_all(call, coordinator, commissions)
    run(call, coordinator)
    client.force_login(coordinator)
    response = client.get(reverse("commissions:export", args=[call.slug]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    references = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert sorted(references) == sorted(c.reference for c in commissions)
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    titles = [row[12].value for row in sheet.iter_rows(min_row=2)]
    # Kept as typed, stored as text: never run, and no apostrophe for the reader to see.
    assert '=HYPERLINK("http://x")' in titles
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    phone = next(c for c in cells if c.value == "+32 81 22 33 44")
    assert phone.data_type == "s" and phone.quotePrefix
    assert not any(c.value.startswith("'") for c in cells)
    import zipfile

    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        xml = " ".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml"))
    assert "<f>" not in xml and "'+32" not in xml
    assert hasattr(sheet.cell(row=2, column=2).value, "year")  # dates as dates
    assert len(workbook.worksheets) == 2  # one sheet per selection run


def test_past_the_waiting_list_a_commission_reads_its_rank(call, vocab, coordinator):
    call.places = 2
    call.save()
    commissions = add_commissions(call, vocab, 7)
    score_all(call, coordinator, commissions)
    selection_run = run(call, coordinator, waitlist_size=2)
    ranking = selection_run.result["waitlist"]
    explained = selection_run.result["explanations"]
    # Only the selected and the kept waiting list carry a sentence of their own.
    assert set(map(int, explained)) == set(selection_run.result["selected"]) | set(ranking[:2])
    with translation.override("en"):
        assert selecting.explanation(selection_run, ranking[0]).startswith("Waitlisted (#1)")
        tail = selecting.explanation(selection_run, ranking[-1])
    assert tail.startswith(f"Not selected: ranked {len(ranking)} after the selection")
    assert "It would add" in tail


def test_a_run_penalises_the_same_problem_submitted_twice(call, vocab, coordinator):
    call.places = 2
    call.save()
    commissions = add_commissions(call, vocab, 5)
    twin = commissions[1]
    twin.title, twin.question = commissions[0].title, commissions[0].question
    twin.save(update_fields=["title", "question"])
    score_all(call, coordinator, commissions)
    selection_run = run(call, coordinator, waitlist_size=4)
    result = selection_run.result
    first, second = commissions[0].pk, twin.pk
    assert not {first, second} <= set(result["selected"])
    assert {first, second} & set(result["selected"])
    assert [min(first, second), max(first, second), 100.0] in result["pairs"]
    left_out = second if first in result["selected"] else first
    with translation.override("en"):
        assert "too similar to" in selecting.explanation(selection_run, left_out)
