"""The teams path in a browser: a student ranks, the coordinator forms the teams, moves one
student and publishes, the student sees their team.

Three selected commissions (teams of 4 to 6), twelve students, three supervisors: every
proposal has three teams of four. student0 has not ranked yet; in the browser they reorder
the list with the ↑ button from the keyboard, then with a drag, each change saved at once.
The coordinator runs the rank-maximal allocation, applies it, moves student0 to another team
(three and five students: a warning about the minimum) and publishes despite the warning.
student0 then signs in again and lands on the team they were moved to.

A second test drags as a person does: the pointer goes on moving after the card took its
new place under it (Playwright's drag_to releases right after one dragover, which would hide
a drop lost there).

The pages are shown in English (the language cookie); the assertions read ids, data
attributes and the stored rows. Screenshots go to tests/e2e/screenshots/teams-*.png
(git-ignored).
"""

import re

import pytest
from browsing import COORDINATOR_PASSWORD, STUDENT_PASSWORD, TIMEOUT_MS, settled, sign_in
from django.core import mail
from django.utils import translation
from factories import make_cohort, run_queued

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect
except ImportError:  # the browser fixture reports it: skipped, or failed under CI=true
    expect = None
    PlaywrightTimeout = TimeoutError

from commissions.models import Call, Email
from teams.models import AllocationRun, Preference, Student, Team

pytestmark = [
    pytest.mark.e2e,
    # The live server commits; restoring the migrations' data keeps each browser test
    # independent of the previous one's flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def cohort(call, vocab, coordinator):
    """make_cohort's year, with student0's ranking taken back: they rank in the browser."""
    selected, students, supervisors = make_cohort(
        call, vocab, commissions=3, students=12, supervisors=3
    )
    ranker = students[0]
    Preference.objects.filter(student=ranker).delete()
    Student.objects.filter(pk=ranker.pk).update(ranked_at=None)
    assert (call.team_size_min, call.team_size_max) == (4, 6)
    return selected, students, supervisors


def shown_order(page):
    return [
        int(pk)
        for pk in page.locator("#ranking .ranking-item").evaluate_all(
            "items => items.map(item => item.dataset.pk)"
        )
    ]


def saving(page, timeout=TIMEOUT_MS):
    """Wait for the ranking page's fetch that follows one reordering."""
    return page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/choix/"), timeout=timeout
    )


def test_student_ranks_coordinator_forms_moves_publishes_student_sees_team(
    new_page, live_server, settings, call, cohort, coordinator, broker, shoot, viewport
):
    settings.SITE_URL = live_server.url
    base = live_server.url
    selected, students, _supervisors = cohort
    ranker = students[0]
    titles = {c.pk: c.title for c in selected}

    # 1. student0 signs in and lands on the ranking page: a random order, not saved yet.
    page = new_page()
    ranking_url = f"{base}/etudiant/{call.slug}/choix/"
    sign_in(page, base, ranker.email, STUDENT_PASSWORD, ranking_url)
    items = page.locator("#ranking .ranking-item")
    expect(items).to_have_count(3)
    expect(page.locator("#ranked-badge")).to_have_class(re.compile(r"text-bg-warning"))
    a, b, c = shown_order(page)
    assert {a, b, c} == set(titles)
    status = page.locator("#ranking-status")

    # The keyboard: focus the last commission's ↑ and press Enter twice; the focus follows.
    up = items.nth(2).locator(".move-up")
    expect(up).to_be_visible()  # the script shows the arrows
    up.focus()
    with saving(page) as answer:
        page.keyboard.press("Enter")
    assert answer.value.json()["ok"]
    expect(status).to_contain_text("Ranking saved")
    assert shown_order(page) == [a, c, b]
    expect(items.nth(1).locator(".move-up")).to_be_focused()
    with saving(page) as answer:
        page.keyboard.press("Enter")
    assert answer.value.json()["ok"]
    assert shown_order(page) == [c, a, b]
    expect(items.nth(0).locator(".move-up")).to_be_focused()
    # Screen readers hear the new place; the focused arrow shows a ring.
    expect(page.locator("#ranking-announce")).to_have_text(re.compile(r"is now number 1 of 3"))
    ring = items.nth(0).locator(".move-up").evaluate("b => getComputedStyle(b).outlineStyle")
    assert ring == "solid"
    expect(page.locator("#ranked-badge")).to_have_class(re.compile(r"text-bg-success"))
    ranks = list(Preference.objects.filter(student=ranker).values_list("commission_id", "rank"))
    assert sorted(ranks, key=lambda r: r[1]) == [(c, 1), (a, 2), (b, 3)]

    # A drag on a desktop: the last commission onto the top half of the first. On a phone
    # (no mouse to drag with) a tap on its ↑, twice.
    if viewport == "desktop":
        with saving(page) as answer:
            items.nth(2).drag_to(
                items.nth(0),
                source_position={"x": 600, "y": 20},
                target_position={"x": 600, "y": 5},
            )
    else:
        with saving(page) as answer:
            items.nth(2).locator(".move-up").tap()
        with saving(page) as answer:
            items.nth(1).locator(".move-up").tap()
    assert answer.value.json()["ok"]
    expected = [b, c, a]
    assert shown_order(page) == expected
    expect(status).to_contain_text("Ranking saved")

    # Reloaded, the order is kept, numbered 1 to 3, and the badge says it is saved.
    page.reload()
    assert shown_order(page) == expected
    for rank, pk in enumerate(expected, start=1):
        expect(page.locator(f"#rank-{pk}")).to_have_value(str(rank))
        expect(items.nth(rank - 1).locator("h2")).to_have_text(titles[pk])
    expect(page.locator("#ranked-badge")).to_have_class(re.compile(r"text-bg-success"))
    stored = list(
        Preference.objects.filter(student=ranker)
        .order_by("rank")
        .values_list("commission_id", "rank")
    )
    assert stored == [(pk, rank) for rank, pk in enumerate(expected, start=1)]
    ranker.refresh_from_db()
    assert ranker.ranked_at is not None
    shoot(page, "teams-01-ranking")

    # 2. The coordinator signs in, opens the teams board and runs the allocation.
    page = new_page()
    sign_in(page, base, "coord", COORDINATOR_PASSWORD, f"{base}/coordination/")
    # On the way, the people page: every student, and one invitation sent again from its row
    # (the rows' buttons post through one shared form).
    page.goto(f"{base}/coordination/{call.slug}/personnes/")
    expect(page.locator("#students tbody tr")).to_have_count(len(students))
    resend = page.locator(f'#students button[form="invite-student"][value="{ranker.pk}"]')
    before = Email.objects.filter(to=ranker.email).count()
    resend.click()
    expect(page.locator(".alert-success")).to_contain_text(ranker.email)
    assert Email.objects.filter(to=ranker.email).count() == before + 1
    assert run_queued(broker).count("commissions.tasks.deliver_email") == 1
    assert [m.to for m in mail.outbox] == [[ranker.email]]
    mail.outbox.clear()
    shoot(page, "teams-01b-people")
    board_url = f"{base}/coordination/{call.slug}/equipes/"
    page.goto(board_url)
    expect(page.locator(".team-card")).to_have_count(0)
    page.locator('#run-form input[name="mode"][value="rank_maximal"]').check()
    page.locator('#run-form button:not([type="button"]):not([name="both"])').click()
    expect(page).to_have_url(f"{base}/coordination/{call.slug}/equipes/proposition/1/")
    run = AllocationRun.objects.get(call=call, number=1)
    assert run.feasible, run.result
    assert run.mode == AllocationRun.Mode.RANK_MAXIMAL
    assert run.result["unranked"] == []  # student0's browser ranking counts
    assert len(run.result["assignment"]) == len(students)
    # Stored as codes and numbers, rendered in the page's language.
    with translation.override(page.locator("html").get_attribute("lang")):
        summary = run.summary_text.strip()
    expect(page.locator("#summary")).to_contain_text(summary)
    profile = run.result["profile"]
    assert sum(profile) == len(students)
    counts = page.locator("#profile tbody tr td.text-end")
    shown = [int(t) for t in counts.all_inner_texts()]
    assert shown == profile[: len(shown)] and sum(shown) == len(students)
    shoot(page, "teams-02-proposal")

    # Apply it: three teams of four on the board.
    page.locator('main form[action$="/proposition/1/appliquer/"] button').click()
    expect(page).to_have_url(board_url)
    expect(page.locator(".team-card")).to_have_count(3)
    run.refresh_from_db()
    assert run.applied_at is not None
    assignment = {int(s): cid for s, cid in run.result["assignment"].items()}
    teams = {t.commission_id: t for t in Team.objects.filter(call=call)}
    assert set(teams) == set(titles)
    for student in Student.objects.filter(call=call):
        assert student.team_id == teams[assignment[student.pk]].pk
    for team in teams.values():
        expect(page.locator(f"#team-{team.pk} .member")).to_have_count(4)
    expect(page.locator("#warnings")).to_have_count(0)

    # 3. Move student0 to another team with their move form: 3 and 5, below the minimum.
    ranker.refresh_from_db()
    source = Team.objects.select_related("commission").get(pk=ranker.team_id)
    target = (
        Team.objects.filter(call=call)
        .exclude(pk=source.pk)
        .select_related("commission", "supervisor__user")
        .first()
    )
    move_form = page.locator(f'#team-{source.pk} .member[data-student="{ranker.pk}"] .move-form')
    move_form.locator('select[name="team"]').select_option(str(target.pk))
    move_form.locator("button").click()
    expect(page).to_have_url(board_url)
    expect(page.locator(f'#team-{target.pk} .member[data-student="{ranker.pk}"]')).to_have_count(1)
    expect(page.locator(f'#team-{source.pk} .member[data-student="{ranker.pk}"]')).to_have_count(0)
    expect(page.locator(f"#team-{source.pk} .member")).to_have_count(3)
    expect(page.locator(f"#team-{target.pk} .member")).to_have_count(5)
    warnings = page.locator("#warnings")
    expect(warnings).to_be_visible()
    expect(warnings).to_contain_text(source.commission.title)
    expect(warnings).to_contain_text("below the minimum of 4")
    expect(page.locator(f"#team-{source.pk}")).to_have_class(re.compile(r"border-warning"))
    ranker.refresh_from_db()
    assert ranker.team_id == target.pk
    shoot(page, "teams-03-moved-warning")

    # 4. Publish, confirming the warning.
    accept = page.locator("#accept-warnings")
    expect(accept).to_have_count(1)
    accept.check()
    page.locator('#publish-form button:not([type="button"])').click()
    expect(page).to_have_url(board_url)
    expect(page.locator("#publish-form")).to_have_count(0)
    expect(page.locator(".move-form")).to_have_count(0)
    expect(page.locator("#run-form")).to_have_count(0)
    shoot(page, "teams-04-published")

    all_teams = list(Team.objects.filter(call=call))
    assert len(all_teams) == 3
    assert all(t.published_at is not None and t.locked for t in all_teams)
    call.refresh_from_db()
    assert call.status == Call.Status.RUNNING
    ranker.refresh_from_db()
    assert ranker.team_id == target.pk
    placed = Student.objects.filter(call=call)
    assert not placed.filter(team__isnull=True).exists()
    assert sorted(placed.values_list("pk", flat=True)) == sorted(s.pk for s in students)
    in_teams = sorted(Team.objects.filter(call=call).values_list("members__pk", flat=True))
    assert in_teams == sorted(s.pk for s in students)  # each student in exactly one team
    supervisors_used = {t.supervisor_id for t in all_teams}
    assert None not in supervisors_used
    emails = list(Email.objects.filter(kind__startswith="team_"))
    kinds = sorted(e.kind for e in emails)
    assert kinds.count("team_student") == len(students)
    assert kinds.count("team_institution") == 3
    assert kinds.count("team_supervisor") == len(supervisors_used)
    assert all(e.status == Email.Status.QUEUED for e in emails)
    assert {e.to for e in emails if e.kind == "team_student"} == {s.email for s in students}
    # The queue delivers them, once each.
    delivered = run_queued(broker).count("commissions.tasks.deliver_email")
    assert delivered == len(emails)
    assert len(mail.outbox) == len(emails)
    note = next(m for m in mail.outbox if m.to == [ranker.email])
    assert target.commission.title in note.subject

    # 5. student0 signs in again and lands on their team; another team does not exist.
    page = new_page()
    team_url = f"{base}/equipes/{target.pk}/"
    sign_in(page, base, ranker.email, STUDENT_PASSWORD, team_url)
    card = page.locator("main #team-card")
    expect(card.locator("h2")).to_have_text(target.commission.title)
    members = list(target.members.select_related("user"))
    assert len(members) == 5 and ranker.pk in {m.pk for m in members}
    listed = card.locator("ul li")
    expect(listed).to_have_count(len(members))
    for member in members:
        expect(listed.filter(has_text=member.email)).to_have_count(1)
        expect(listed.filter(has_text=member.name)).to_have_count(1)
    expect(card).to_contain_text(target.supervisor.name)
    expect(card.locator(f'a[href="mailto:{target.supervisor.email}"]')).to_have_count(1)
    expect(card.locator(f'a[href="mailto:{target.commission.contact_email}"]')).to_have_count(1)
    expect(page.locator(".alert-warning")).to_have_count(0)  # published
    shoot(page, "teams-05-student-team")
    answer = page.goto(f"{base}/equipes/{source.pk}/")
    assert answer.status == 404
    assert source.commission.title not in page.content()


def test_a_drag_released_over_the_moved_card_is_saved(
    new_page, live_server, call, cohort, viewport
):
    """A person's drag: the pointer moves on after the card has taken its new place."""
    if viewport == "phone":
        pytest.skip("dragging with a mouse is a desktop gesture: phones use the arrows")
    ranker = cohort[1][0]
    page = new_page()
    sign_in(
        page,
        live_server.url,
        ranker.email,
        STUDENT_PASSWORD,
        f"{live_server.url}/etudiant/{call.slug}/choix/",
    )
    items = page.locator("#ranking .ranking-item")
    expect(items).to_have_count(3)
    settled(page)
    a, b, c = shown_order(page)
    source, below = items.nth(0).bounding_box(), items.nth(1).bounding_box()
    page.mouse.move(source["x"] + 600, source["y"] + 20)
    page.mouse.down()
    with saving(page, timeout=3_000) as answer:
        # Into the lower half of the second card: the first card moves below it, under
        # the pointer, which goes on moving a little before the button is released.
        page.mouse.move(below["x"] + 600, below["y"] + below["height"] * 0.75, steps=10)
        page.mouse.move(below["x"] + 610, below["y"] + below["height"] * 0.75, steps=5)
        page.mouse.up()
    assert shown_order(page) == [b, a, c]
    assert answer.value.json()["ok"]
    stored = list(
        Preference.objects.filter(student=ranker)
        .order_by("rank")
        .values_list("commission_id", flat=True)
    )
    assert stored == [b, a, c]
