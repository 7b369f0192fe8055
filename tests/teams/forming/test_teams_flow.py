"""Ranking, forming, editing, publishing teams; who sees what; e-mails sent once."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from factories import formed, make_call, make_cohort, run_queued
from openpyxl import load_workbook

from commissions.models import Call, Email
from teams.forming import allocating
from teams.models import Preference, Student, Team, TeamEvent
from teams.people.accounts import account_for, invite

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


# --------------------------------------------------------------------------- ranking


def test_student_ranks_with_the_script_and_without(client, call, vocab):
    selected, (student, *_rest), _sups = make_cohort(call, vocab, 3, 1, 0, ranked=False)
    client.force_login(student.user)
    url = reverse("teams:ranking", args=[call.slug])
    page = client.get(url)
    assert page.status_code == 200
    assert "Commission 0" in page.content.decode()
    order = [selected[2].pk, selected[0].pk, selected[1].pk]
    answer = client.post(
        url, {"order": ",".join(map(str, order))}, headers={"x-requested-with": "fetch"}
    )
    assert answer.status_code == 200 and answer.json()["ok"]
    assert list(student.preferences.values_list("commission_id", flat=True)) == order
    # Without the script: one number per commission.
    numbers = {f"rank-{selected[0].pk}": "1", f"rank-{selected[1].pk}": "3"}
    numbers[f"rank-{selected[2].pk}"] = "2"
    assert client.post(url, numbers).status_code == 302
    ranks = dict(student.preferences.values_list("commission_id", "rank"))
    assert ranks == {selected[0].pk: 1, selected[2].pk: 2, selected[1].pk: 3}
    student.refresh_from_db()
    assert student.ranked_at is not None


@pytest.mark.parametrize(
    "data",
    [
        {"order": "1,2"},
        {"order": "x,y,z"},
        {"rank-placeholder": "1"},
        {"order": "<script>alert(1)</script>"},
    ],
)
def test_bad_rankings_are_refused_with_a_message_and_keep_the_old_one(client, call, vocab, data):
    selected, (student, *_rest), _sups = make_cohort(call, vocab, 3, 1, 0)
    before = list(student.preferences.values_list("commission_id", "rank"))
    client.force_login(student.user)
    page = client.post(reverse("teams:ranking", args=[call.slug]), data)
    assert page.status_code == 400
    assert 'id="ranking-error"' in page.content.decode()
    assert list(student.preferences.values_list("commission_id", "rank")) == before


def test_duplicate_numbers_are_refused_and_the_typed_numbers_kept(client, call, vocab):
    selected, (student, *_rest), _sups = make_cohort(call, vocab, 3, 1, 0, ranked=False)
    client.force_login(student.user)
    data = {f"rank-{c.pk}": "1" for c in selected}
    page = client.post(reverse("teams:ranking", args=[call.slug]), data)
    assert page.status_code == 400
    assert "must be used once" in page.content.decode()
    assert not Preference.objects.exists()


def test_ranking_closes_at_the_deadline(client, call, vocab):
    selected, (student, *_rest), _sups = make_cohort(call, vocab, 2, 1, 0, ranked=False)
    call.preferences_deadline = timezone.now() - timedelta(minutes=1)
    call.save()
    client.force_login(student.user)
    url = reverse("teams:ranking", args=[call.slug])
    assert "Rankings are closed" in client.get(url).content.decode()
    page = client.post(url, {"order": f"{selected[0].pk},{selected[1].pk}"})
    assert page.status_code == 400
    assert not Preference.objects.exists()


def test_wishes_at_most_two_distinct_classmates(client, call, vocab):
    _sel, students, _sups = make_cohort(call, vocab, 2, 4, 0)
    me, a, b, _c = students
    client.force_login(me.user)
    url = reverse("teams:ranking", args=[call.slug])
    client.post(url, {"part": "wishes", "first": a.pk, "second": b.pk})
    assert set(me.wishes.all()) == {a, b}
    page = client.post(url, {"part": "wishes", "first": a.pk, "second": a.pk})
    assert page.status_code == 200 and "two different classmates" in page.content.decode()
    # A student of another call is not a choice.
    other = make_call(call.programme, slug="other-call")
    stranger = Student.objects.create(
        call=other, user=account_for("x@y.example")[0], prior_studies="Droit"
    )
    page = client.post(url, {"part": "wishes", "first": stranger.pk})
    assert set(me.wishes.all()) == {a, b}


def test_a_student_sees_only_their_own_ranking_and_team(client, call, vocab, coordinator):
    _sel, students, _sups = make_cohort(call, vocab)
    formed(call, coordinator)
    allocating.publish(call, coordinator, accept_warnings=True)
    me = Student.objects.select_related("team").get(pk=students[0].pk)
    other_team = Team.objects.exclude(pk=me.team_id).first()
    client.force_login(me.user)
    assert client.get(reverse("teams:team", args=[me.team_id])).status_code == 200
    assert client.get(reverse("teams:team", args=[other_team.pk])).status_code == 404
    # The ranking page shows the student's own list, never someone else's.
    other_call = make_call(call.programme, slug="another")
    assert client.get(reverse("teams:ranking", args=[other_call.slug])).status_code == 404
    # Nobody but the coordinator reaches the board, the proposals or the people list.
    for name in ("teams:board", "teams:people"):
        assert client.get(reverse(name, args=[call.slug])).status_code == 403


def test_unpublished_team_is_hidden_from_its_members(client, call, vocab, coordinator):
    make_cohort(call, vocab)
    formed(call, coordinator)
    team = Team.objects.first()
    member = team.members.first()
    client.force_login(member.user)
    assert client.get(reverse("teams:team", args=[team.pk])).status_code == 404
    assert client.get(reverse("teams:my_space")).url == reverse("teams:ranking", args=[call.slug])


# --------------------------------------------------------------------------- forming


def test_run_apply_move_lock_publish(
    client, call, vocab, coordinator, broker, django_capture_on_commit_callbacks
):
    selected, students, sups = make_cohort(call, vocab)
    client.force_login(coordinator)
    board = reverse("teams:board", args=[call.slug])
    assert client.get(board).status_code == 200
    answer = client.post(reverse("teams:run", args=[call.slug]), {"mode": "rank_maximal"})
    assert answer.url == reverse("teams:proposal", args=[call.slug, 1])
    page = client.get(answer.url).content.decode()
    assert "Choice 1" in page and "got their" in page
    client.post(reverse("teams:apply", args=[call.slug, 1]))
    teams = list(Team.objects.filter(call=call))
    assert len(teams) == 3
    assert all(4 <= t.members.count() <= 6 for t in teams)
    assert all(t.supervisor_id for t in teams)
    assert not Student.objects.filter(call=call, team__isnull=True).exists()

    # Moving a student out of a team of 4 warns about the minimum size.
    small = min(teams, key=lambda t: (t.members.count(), t.pk))
    target = next(t for t in teams if t != small)
    student = small.members.first()
    page = client.post(
        reverse("teams:move", args=[call.slug]),
        {"student": student.pk, "team": target.pk},
        follow=True,
    ).content.decode()
    student.refresh_from_db()
    assert student.team_id == target.pk
    assert "below the minimum" in page
    assert TeamEvent.objects.filter(kind="moved").count() == 1

    # A locked team cannot be changed until unlocked.
    client.post(reverse("teams:lock", args=[call.slug, target.pk]), {"locked": "1"})
    page = client.post(
        reverse("teams:move", args=[call.slug]),
        {"student": student.pk, "team": small.pk},
        follow=True,
    ).content.decode()
    student.refresh_from_db()
    assert student.team_id == target.pk and "is locked" in page
    client.post(reverse("teams:lock", args=[call.slug, target.pk]), {"locked": "0"})
    client.post(reverse("teams:move", args=[call.slug]), {"student": student.pk, "team": small.pk})

    # Publish: each student, supervisor and institution gets one e-mail; twice sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("teams:publish", args=[call.slug]))
    assert Team.objects.filter(published_at__isnull=False).count() == 3
    kinds = sorted(Email.objects.values_list("kind", flat=True))
    used = {t.supervisor_id for t in Team.objects.all()}
    assert kinds.count("team_student") == 12
    assert kinds.count("team_institution") == 3
    assert kinds.count("team_supervisor") == len(used)
    run_queued(broker)
    assert len(mail.outbox) == 12 + 3 + len(used)
    client.post(reverse("teams:publish", args=[call.slug]))
    assert Email.objects.count() == 12 + 3 + len(used)
    call.refresh_from_db()
    assert call.status == Call.Status.RUNNING
    # After publishing nothing moves.
    page = client.post(
        reverse("teams:move", args=[call.slug]),
        {"student": student.pk, "team": target.pk},
        follow=True,
    ).content.decode()
    student.refresh_from_db()
    assert student.team_id == small.pk and "are published" in page


def test_published_e_mails_carry_the_team_and_its_contacts(
    call, vocab, coordinator, broker, django_capture_on_commit_callbacks
):
    make_cohort(call, vocab)
    formed(call, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        allocating.publish(call, coordinator, accept_warnings=True)
    run_queued(broker)
    student_mail = next(m for m in mail.outbox if m.to == ["student0@uni.example"])
    team = Student.objects.get(user__email="student0@uni.example").team
    assert team.commission.title in student_mail.subject
    assert team.commission.contact_email in student_mail.body
    assert team.supervisor.email in student_mail.body
    institution_mail = next(m for m in mail.outbox if m.to == [team.commission.contact_email])
    assert "/commande/" in institution_mail.body
    stored = Email.objects.get(kind="team_institution", commission=team.commission)
    assert "/commande/…" in stored.body  # the token is not kept in the outbox


def test_publishing_needs_every_student_placed_and_a_supervisor(call, vocab, coordinator):
    make_cohort(call, vocab)
    formed(call, coordinator)
    team = Team.objects.first()
    allocating.set_supervisor(call, team, None, coordinator)
    with pytest.raises(allocating.TeamsError, match="has no supervisor"):
        allocating.publish(call, coordinator, accept_warnings=True)
    assert not Email.objects.exists()


def test_warnings_need_an_explicit_confirmation(call, vocab, coordinator):
    _sel, students, sups = make_cohort(call, vocab)
    formed(call, coordinator)
    team = Team.objects.first()
    for other in Team.objects.exclude(pk=team.pk):
        allocating.set_supervisor(call, other, team.supervisor, coordinator)
    found = allocating.problems(call)
    assert any("above their capacity" in w for w in found.warnings)
    with pytest.raises(allocating.TeamsError, match="despite the warnings"):
        allocating.publish(call, coordinator)
    assert allocating.publish(call, coordinator, accept_warnings=True) == 3


def test_publishing_before_the_ranking_deadline_names_it_and_who_has_not_ranked(
    client, call, vocab, coordinator
):
    _sel, students, _sups = make_cohort(call, vocab)
    formed(call, coordinator)
    late = sorted(students, key=lambda s: s.name)[:2]
    Preference.objects.filter(student__in=late).delete()
    call.preferences_deadline = timezone.now() + timedelta(days=7)
    call.save()
    client.force_login(coordinator)
    board = client.get(reverse("teams:board", args=[call.slug])).content.decode()
    assert 'id="before-deadline"' in board and "2 students have not ranked yet" in board
    assert all(s.name in board for s in late)
    publish = reverse("teams:publish", args=[call.slug])
    page = client.post(publish, {"accept_warnings": "1"}, follow=True).content.decode()
    assert "confirm that you publish before the deadline" in page
    assert not Team.objects.filter(published_at__isnull=False).exists()
    response = client.post(publish, {"accept_warnings": "1", "before_deadline": "1"})
    assert response.status_code == 302
    assert Team.objects.filter(published_at__isnull=False).count() == 3
    # After the deadline no such confirmation is asked.
    call.preferences_deadline = timezone.now() - timedelta(days=1)
    assert allocating.problems(call).early is False


def test_locked_teams_survive_a_new_run(call, vocab, coordinator):
    make_cohort(call, vocab)
    formed(call, coordinator)
    team = Team.objects.first()
    kept = set(team.members.values_list("pk", flat=True))
    allocating.set_locked(call, team, True, coordinator)
    run = allocating.run_allocation(call, coordinator, "generous")
    assert team.commission_id not in run.result["commissions"]
    allocating.apply_run(run, coordinator)
    assert set(team.members.values_list("pk", flat=True)) == kept
    assert Team.objects.count() == 3


def test_stale_proposal_is_refused(call, vocab, coordinator):
    selected, students, _sups = make_cohort(call, vocab)
    run = allocating.run_allocation(call, coordinator)
    Preference.objects.filter(student=students[0]).delete()
    with pytest.raises(allocating.TeamsError, match="changed since"):
        allocating.apply_run(run, coordinator)
    assert not Team.objects.exists()


def test_same_data_same_teams(call, vocab, coordinator):
    make_cohort(call, vocab, commissions=4, students=20, supervisors=4)
    first = allocating.run_allocation(call, coordinator)
    second = allocating.run_allocation(call, coordinator)
    assert first.result["assignment"] == second.result["assignment"]
    assert first.result["supervisors"] == second.result["supervisors"]


def test_infeasible_call_gets_a_reason(client, call, vocab, coordinator):
    make_cohort(call, vocab, commissions=3, students=7)
    client.force_login(coordinator)
    answer = client.post(reverse("teams:run", args=[call.slug]), {"mode": "generous"})
    page = client.get(answer.url).content.decode()
    assert "7 students cannot fill 3 teams of at least 4" in page
    client.post(reverse("teams:apply", args=[call.slug, 1]))
    assert not Team.objects.exists()


def test_too_little_supervision_is_explained_and_teams_still_proposed(call, vocab, coordinator):
    make_cohort(call, vocab, supervisors=1)
    run = allocating.run_allocation(call, coordinator)
    assert run.feasible
    assert "3 teams but only 2 supervision places" in run.supervisor_reason_text


def test_unranked_students_are_placed_and_flagged(client, call, vocab, coordinator):
    _sel, students, _sups = make_cohort(call, vocab)
    Preference.objects.filter(student=students[0]).delete()
    run = allocating.run_allocation(call, coordinator)
    assert run.result["unranked"] == [students[0].pk]
    assert str(students[0].pk) in run.result["assignment"]
    client.force_login(coordinator)
    page = client.get(reverse("teams:proposal", args=[call.slug, run.number])).content.decode()
    assert "Did not rank" in page


# --------------------------------------------------------------------------- people


def test_invitation_sets_a_password_once(
    client, call, vocab, broker, settings, django_capture_on_commit_callbacks
):
    user, created = account_for("New.Student@Uni.example", "Nina", "Nouvelle")
    assert created and not user.has_usable_password()
    student = Student.objects.create(call=call, user=user, prior_studies="Droit")
    with django_capture_on_commit_callbacks(execute=True):
        invite(student)
        invite(student)  # keyed once
    assert Email.objects.filter(kind="invitation_student").count() == 1
    run_queued(broker)
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/mot-de-passe/\S+/", message.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path, follow=True)
    form_url = page.redirect_chain[-1][0]
    new_password = "un-mot-de-passe-solide-42"
    answer = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert answer.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert Email.objects.get(kind="invitation_student").body.count(link) == 0
    # Sign in with the e-mail, whatever its case, and land on the ranking page.
    client.logout()
    answer = client.post(
        reverse("login"), {"username": "new.student@uni.EXAMPLE", "password": new_password}
    )
    assert answer.status_code == 302
    assert client.get(answer.url).url == reverse("teams:ranking", args=[call.slug])
    # The link works once.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # logout cleared the cookies
    assert "expired" in client.get("/" + path, follow=True).content.decode()


def test_coordinator_reminds_those_who_have_not_ranked(
    client, call, vocab, coordinator, broker, django_capture_on_commit_callbacks
):
    _sel, students, _sups = make_cohort(call, vocab, students=5)
    Preference.objects.filter(student__in=students[:2]).delete()
    Student.objects.filter(pk__in=[s.pk for s in students[:2]]).update(ranked_at=None)
    client.force_login(coordinator)
    page = client.get(reverse("teams:people", args=[call.slug])).content.decode()
    assert "2 students have not ranked yet" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("teams:remind", args=[call.slug]))
    run_queued(broker)
    assert sorted(m.to[0] for m in mail.outbox) == [s.email for s in students[:2]]
    assert "/etudiant/" in mail.outbox[0].body


def test_deadline_form_rejects_nonsense(client, call, coordinator):
    client.force_login(coordinator)
    url = reverse("teams:people", args=[call.slug])
    page = client.post(url, {"preferences_deadline": "demain midi"})
    assert page.status_code == 200 and "preferences_deadline" in page.content.decode()
    client.post(url, {"preferences_deadline": "2030-10-10T12:00"})
    call.refresh_from_db()
    assert timezone.localtime(call.preferences_deadline).hour == 12


def test_teams_workbook(client, call, vocab, coordinator):
    make_cohort(call, vocab)
    formed(call, coordinator)
    Student.objects.filter(pk=Student.objects.first().pk).update(prior_studies="=HYPERLINK(1)")
    client.force_login(coordinator)
    answer = client.get(reverse("teams:export", args=[call.slug]))
    from io import BytesIO

    book = load_workbook(BytesIO(answer.content))
    assert len(book.sheetnames) == 4
    rows = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 12
    # Stored as text as typed: never run, no apostrophe shown.
    assert any(r[3] == "=HYPERLINK(1)" for r in rows)
    cells = [c for row in book.worksheets[0].iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)


# --------------------------------------------------------------------------- queries


@pytest.mark.parametrize("size", [(3, 12), (8, 40)])
def test_pages_have_bounded_queries(
    client, call, vocab, coordinator, size, django_assert_max_num_queries
):
    commissions, students = size
    make_cohort(call, vocab, commissions=commissions, students=students, supervisors=4)
    run = formed(call, coordinator)
    client.force_login(coordinator)
    for name, args in (
        ("teams:board", [call.slug]),
        ("teams:people", [call.slug]),
        ("teams:proposal", [call.slug, run.number]),
    ):
        with django_assert_max_num_queries(25):
            assert client.get(reverse(name, args=args)).status_code == 200
    student = Student.objects.first()
    client.force_login(student.user)
    # Same bound at both sizes; the menu's review count and the survey section are constant.
    with django_assert_max_num_queries(14):
        assert client.get(reverse("teams:ranking", args=[call.slug])).status_code == 200
    allocating.publish(call, coordinator, accept_warnings=True, before_deadline=True)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("teams:team", args=[student.team_id])).status_code == 200


def test_institution_sees_its_published_team_through_its_link(client, call, vocab, coordinator):
    from commissions.models import AccessToken

    make_cohort(call, vocab)
    formed(call, coordinator)
    team = Team.objects.select_related("commission", "supervisor__user").first()
    token = AccessToken.issue(team.commission)
    url = reverse("commissions:portal", args=[token])
    assert 'id="your-team"' not in client.get(url).content.decode()
    allocating.publish(call, coordinator, accept_warnings=True)
    page = client.get(url).content.decode()
    assert 'id="your-team"' in page
    assert team.supervisor.email in page
    assert all(m.email in page for m in team.members.all())


@pytest.mark.parametrize("value", ["99999999999999999999999", "²", "-1", "1.5"])
def test_odd_ids_in_forms_get_a_message(client, call, vocab, coordinator, value):
    _sel, (student, *_rest), _sups = make_cohort(call, vocab, 2, 2, 0)
    client.force_login(student.user)
    url = reverse("teams:ranking", args=[call.slug])
    page = client.post(url, {"part": "wishes", "first": value})
    assert page.status_code == 200 and "is-invalid" in page.content.decode()
    numbers = {f"rank-{c.pk}": value for c in _sel}
    assert client.post(url, numbers).status_code == 400
    client.force_login(coordinator)
    answer = client.post(reverse("teams:invite", args=[call.slug]), {"pk": value})
    assert answer.status_code == 404
    assert not Email.objects.filter(kind="invitation_student").exists()
    answer = client.post(reverse("commissions:assignments", args=[call.slug]), {"reviewer": value})
    assert answer.status_code == 200


def test_two_proposals_side_by_side_show_who_moves_and_offer_to_apply_either(
    client, call, vocab, coordinator, django_assert_max_num_queries
):
    make_cohort(call, vocab, commissions=3, students=12)
    first = allocating.run_allocation(call, coordinator, mode=allocating.allocation.MODES[0])
    second = allocating.run_allocation(call, coordinator, mode=allocating.allocation.MODES[1])
    client.force_login(coordinator)
    board = client.get(reverse("teams:board", args=[call.slug])).content.decode()
    assert 'id="compare-proposals"' in board
    url = reverse("teams:compare_proposals", args=[call.slug])
    response = client.get(url)
    assert response["Location"].endswith(f"?a={first.number}&b={second.number}")
    with django_assert_max_num_queries(20):
        page = client.get(response["Location"])
    assert page.status_code == 200
    rows = page.context["rows"]
    assert len(rows) == 3
    placed_a = {s.pk for row in rows for s, _r, _n in row["a"]}
    assert len(placed_a) == 12
    moved = sum(1 for row in rows for _s, _r, new in row["b"] if new)
    assert page.context["moved"] == moved
    text = page.content.decode()
    for run in (first, second):
        assert reverse("teams:apply", args=[call.slug, run.number]) in text
    assert client.get(url + "?a=1&b=99").status_code == 404
    assert client.get(url + "?a=x&b=1").status_code == 302


def test_both_objectives_side_by_side_with_their_profile_off_list_and_mean(
    client, call, vocab, coordinator, django_assert_max_num_queries
):
    _selected, students, _sups = make_cohort(call, vocab, commissions=3, students=12)
    # Four students list a single commission: a short list is where they may land off it.
    for student in students[:4]:
        Preference.objects.filter(student=student).exclude(rank=1).delete()
    client.force_login(coordinator)
    board = client.get(reverse("teams:board", args=[call.slug])).content.decode()
    assert 'id="propose-both"' in board
    answer = client.post(reverse("teams:run", args=[call.slug]), {"mode": "generous", "both": "1"})
    ranked, generous = call.allocation_runs.order_by("number")
    assert (ranked.mode, generous.mode) == ("rank_maximal", "generous")
    assert answer.url.endswith(f"?a={ranked.number}&b={generous.number}")
    with django_assert_max_num_queries(20):
        page = client.get(answer.url)
    a, b = page.context["a"], page.context["b"]
    shown = len(a["profile"])
    for figures, run in ((a, ranked), (b, generous)):
        assert [c for _k, c in figures["profile"]] == (run.result["profile"] + [0] * 9)[:shown]
        assert figures["off_list"] == len(run.result["off_list"])
        assert figures["mean"] == run.result["mean_rank"]
    assert len(a["profile"]) == len(b["profile"]) >= 1  # the same rows, side by side
    text = page.content.decode()
    assert text.count('class="off-list"') == 2
    assert text.count("Mean choice of the students placed on a commission they ranked") == 2
    proposal = client.get(reverse("teams:proposal", args=[call.slug, ranked.number]))
    assert "Not on their list" in proposal.content.decode()
    assert "placed on their list" in ranked.summary_text


def test_publishing_renews_the_cached_public_pages(call, vocab, coordinator):
    # The home page lists each call's status: "running" must not wait for the cache to expire.
    from mias import pagecache

    make_cohort(call, vocab)
    formed(call, coordinator)
    before = pagecache.PUBLIC.current()
    allocating.publish(call, coordinator, accept_warnings=True)
    assert pagecache.PUBLIC.current() != before


def test_a_published_board_shows_the_teams_without_what_blocked_publishing(
    client, call, vocab, coordinator
):
    make_cohort(call, vocab)
    formed(call, coordinator)
    team = Team.objects.first()
    for other in Team.objects.exclude(pk=team.pk):
        allocating.set_supervisor(call, other, team.supervisor, coordinator)
    client.force_login(coordinator)
    url = reverse("teams:board", args=[call.slug])
    before = client.get(url).content.decode()
    assert 'id="warnings"' in before and 'id="run-form"' in before
    allocating.publish(call, coordinator, accept_warnings=True)
    after = client.get(url).content.decode()
    assert 'id="warnings"' not in after and 'id="run-form"' not in after
    assert team.commission.title in after
