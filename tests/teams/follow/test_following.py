"""Following the year: milestones from key dates, dashboards, documents, feedback, who sees what."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from factories import PDF, add_follow_dates, formed, make_cohort, zip_bytes
from openpyxl import load_workbook

from commissions.models import AccessToken, KeyDate
from teams.forming import allocating
from teams.models import Deliverable, Feedback, Milestone, TeamEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def docx_bytes():
    return zip_bytes([("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w:document/>")])


def odt_bytes():
    return zip_bytes(
        [
            ("mimetype", "application/vnd.oasis.opendocument.text"),
            ("content.xml", "<office:document-content/>"),
        ]
    )


def report_of(team):
    return team.milestones.get(key_date__kind="report")


def test_publishing_gives_each_team_the_milestones_of_the_key_dates(call, teams):
    kinds = sorted(KeyDate.objects.filter(call=call).values_list("kind", flat=True))
    assert kinds.count("oral") == 2
    for team in teams:
        got = sorted(team.milestones.values_list("key_date__kind", flat=True))
        # One oral presentation per team (the day chosen), the others once each.
        assert got == sorted(
            ["presentation", "clarification", "exploration", "report", "feedback", "oral", "end"]
        )
        assert report_of(team).deliverable == "report"
        assert team.milestones.get(key_date__kind="oral").deliverable == "presentation"


def test_the_oral_presentation_is_the_day_the_institution_chose(call, vocab, coordinator):
    add_follow_dates(call)
    make_cohort(call, vocab, commissions=3, students=12, supervisors=3)
    friday = KeyDate.objects.filter(call=call, kind="oral").order_by("starts_at").last()
    commission = call.commissions.order_by("reference").first()
    commission.preferred_presentation = friday
    commission.save()
    formed(call, coordinator)
    allocating.publish(call, coordinator, accept_warnings=True)
    assert (
        Milestone.objects.get(team__commission=commission, key_date__kind="oral").key_date == friday
    )


def test_moving_a_key_date_moves_the_milestones_not_moved_for_their_team(call, teams, coordinator):
    report = KeyDate.objects.get(call=call, kind="report")
    moved = report_of(teams[0])
    from teams.follow.following import local_start, move_milestone

    move_milestone(moved, coordinator, local_start(timezone.localdate() + timedelta(days=200)))
    report.starts_at += timedelta(days=7)
    report.save()
    for team in teams[1:]:
        assert report_of(team).starts_at == report.starts_at
    kept = report_of(teams[0])
    assert kept.overridden and kept.starts_at.date() != report.starts_at.date()
    assert TeamEvent.objects.filter(team=teams[0], kind="date_moved").exists()


def test_a_call_wide_milestone_reaches_every_team(client, call, teams, coordinator):
    client.force_login(coordinator)
    day = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = client.post(
        reverse("teams:follow", args=[call.slug]),
        {
            "label": "Note intermédiaire",
            "date": day,
            "time": "",
            "actor": "students",
            "hand_in": "on",
            "location": "",
        },  # fmt: skip
    )
    assert response.status_code == 302
    for team in teams:
        m = team.milestones.get(key_date__label="Note intermédiaire")
        assert m.deliverable == "document" and m.all_day


def test_student_dashboard_counts_down_and_shows_the_team(client, teams):
    team = teams[0]
    student = team.members.all()[0]
    client.force_login(student.user)
    response = client.get(reverse("teams:my_space"), follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Next deadline" in page and team.commission.title in page
    assert team.supervisor.email in page and team.commission.contact_email in page
    assert "The year, step by step" in page


def test_upload_marks_the_report_done_and_keeps_versions(client, teams):
    team = teams[0]
    student = team.members.all()[0]
    client.force_login(student.user)
    report = report_of(team)
    url = reverse("teams:upload", args=[team.pk, report.pk])
    docx = docx_bytes()  # once: a zip stamps the time, a second call may differ
    for name, data in (("rapport.pdf", PDF), ("rapport.docx", docx)):
        response = client.post(url, {"file": SimpleUploadedFile(name, data)})
        assert response.status_code == 302, response.content.decode()[:500]
    report.refresh_from_db()
    assert report.done_at is None  # drafts until a member sends one
    latest = report.deliverables.first()
    client.post(reverse("teams:send", args=[team.pk, latest.pk]), {"confirm": "1"})
    report.refresh_from_db()
    assert report.done_at is not None and report.done_by == student.user
    assert list(report.deliverables.values_list("version", "kind")) == [(2, "docx"), (1, "pdf")]
    latest = report.deliverables.first()
    download = client.get(reverse("teams:download", args=[team.pk, latest.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == docx
    assert "attachment" in download["Content-Disposition"]


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("rapport.pdf", b"MZ\x90\x00 not a pdf at all", "its content says otherwise"),
        ("rapport.docx", PDF, "should end in .pdf"),
        ("rapport.pdf", b"PK\x03\x04 broken zip", "its content says otherwise"),
        ("rapport.odt", b"", "empty"),
    ],
)
def test_a_faked_or_broken_document_is_refused_with_a_message(client, teams, name, data, message):
    team = teams[0]
    client.force_login(team.members.all()[0].user)
    report = report_of(team)
    response = client.post(
        reverse("teams:upload", args=[team.pk, report.pk]), {"file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text
    # The summary at the top names the step and links to its field.
    assert text.index('id="error-summary"') < text.index(f'id="milestone-{report.pk}"')
    assert f'href="#file-{report.pk}"' in text
    assert not Deliverable.objects.exists()
    report.refresh_from_db()
    assert report.done_at is None


def test_too_large_a_document_is_refused(client, teams, settings):
    settings.DELIVERABLE_MAX_BYTES = 1024
    team = teams[0]
    client.force_login(team.members.all()[0].user)
    response = client.post(
        reverse("teams:upload", args=[team.pk, report_of(team).pk]),
        {"file": SimpleUploadedFile("r.pdf", PDF + b"0" * 2000)},
    )
    assert response.status_code == 400 and "too large" in response.content.decode()


def test_odt_is_accepted(client, teams):
    team = teams[0]
    client.force_login(team.members.all()[0].user)
    response = client.post(
        reverse("teams:upload", args=[team.pk, report_of(team).pk]),
        {"file": SimpleUploadedFile("rapport.odt", odt_bytes())},
    )
    assert response.status_code == 302 and Deliverable.objects.get().kind == "odt"


def test_another_team_cannot_open_or_upload_a_deliverable(client, teams):
    from teams.follow.following import add_deliverable

    mine, theirs = teams[0], teams[1]
    document = add_deliverable(
        report_of(theirs), SimpleUploadedFile("r.pdf", PDF), theirs.members.all()[0].user
    )
    client.force_login(mine.members.all()[0].user)
    assert client.get(reverse("teams:download", args=[theirs.pk, document.pk])).status_code == 404
    # Through one's own team's URL, another team's file does not exist either.
    assert client.get(reverse("teams:download", args=[mine.pk, document.pk])).status_code == 404
    response = client.post(
        reverse("teams:upload", args=[theirs.pk, report_of(theirs).pk]),
        {"file": SimpleUploadedFile("r.pdf", PDF)},
    )
    assert response.status_code == 404
    # Its supervisor and the coordinators can.
    client.force_login(theirs.supervisor.user)
    assert client.get(reverse("teams:download", args=[theirs.pk, document.pk])).status_code == 200


def test_supervisor_marks_done_and_leaves_a_note_students_cannot(client, teams):
    team = teams[0]
    item = team.milestones.get(key_date__kind="clarification")
    url = reverse("teams:milestone_update", args=[team.pk, item.pk])
    client.force_login(team.members.all()[0].user)
    assert client.post(url, {"done": "on", "note": "x"}).status_code == 404
    client.force_login(team.supervisor.user)
    assert client.post(url, {"done": "on", "note": "Bonne réunion."}).status_code == 302
    item.refresh_from_db()
    assert item.done_at and item.done_by == team.supervisor.user and item.note == "Bonne réunion."
    home = client.get(reverse("teams:supervisor_home")).content.decode()
    assert team.commission.title in home and "Done" in home


def test_institution_downloads_the_report_and_gives_feedback(client, teams, coordinator):
    from teams.follow.following import add_deliverable

    team = teams[0]
    token = AccessToken.issue(team.commission)
    portal = reverse("commissions:portal", args=[token])
    page = client.get(portal).content.decode()
    assert "not sent yet" in page and "feedback-usefulness" not in page
    # Feedback before the report: refused with a message.
    response = client.post(reverse("teams:institution_feedback", args=[token]), {"usefulness": 4})
    assert response.status_code == 302 and not Feedback.objects.exists()
    document = add_deliverable(
        report_of(team), SimpleUploadedFile("rapport.pdf", PDF), team.members.all()[0].user
    )
    page = client.get(portal).content.decode()
    url = reverse("teams:institution_download", args=[token, document.pk])
    assert url in page
    assert b"".join(client.get(url).streaming_content) == PDF
    # Another team's document through this link does not exist.
    other = add_deliverable(
        report_of(teams[1]), SimpleUploadedFile("b.pdf", PDF), teams[1].members.all()[0].user
    )
    assert (
        client.get(reverse("teams:institution_download", args=[token, other.pk])).status_code == 404
    )
    # A bad form keeps what was typed.
    response = client.post(
        reverse("teams:institution_feedback", args=[token]),
        {"usefulness": "9", "improve": "Plus de chiffres."},
    )
    text = response.content.decode()
    assert response.status_code == 200 and "Plus de chiffres." in text
    # The page opens on the summary of what to correct, not 1,500 px above the message.
    assert text.index('id="error-summary"') < text.index('id="your-team"')
    # Sent empty: the same, never a 400.
    response = client.post(reverse("teams:institution_feedback", args=[token]), {})
    assert response.status_code == 200 and 'id="error-summary"' in response.content.decode()
    response = client.post(
        reverse("teams:institution_feedback", args=[token]),
        {"usefulness": "4", "improve": "Plus de chiffres.", "comments": "Merci !"},
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get(team=team)
    assert feedback.usefulness == 4 and feedback.milestone == report_of(team)
    # The team and its supervisor read it.
    client.force_login(team.supervisor.user)
    assert "Plus de chiffres." in client.get(reverse("teams:team", args=[team.pk])).content.decode()
    client.force_login(coordinator)
    board = client.get(reverse("teams:follow", args=[team.call.slug]))
    assert board.status_code == 200
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("teams:follow_export", args=[team.call.slug])).content)
    )
    assert workbook.worksheets[1].cell(2, 4).value == "Plus de chiffres."


def test_board_shows_statuses_and_the_export_colours_them(client, call, teams, coordinator):
    team = teams[0]
    clarification = team.milestones.get(key_date__kind="clarification")
    from teams.follow.following import set_done

    set_done(clarification, coordinator)
    client.force_login(coordinator)
    page = client.get(reverse("teams:follow", args=[call.slug])).content.decode()
    assert "status-done" in page and "status-upcoming" in page
    response = client.get(reverse("teams:follow_export", args=[call.slug]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    column = header.index("Clarification meeting at the institution") + 1
    row = next(
        r
        for r in range(2, sheet.max_row + 1)
        if sheet.cell(r, 1).value == team.commission.reference
    )
    # A real date, shown with its status and coloured by it; no "00:00" on a date.
    cell = sheet.cell(row, column)
    from teams.follow.following import annotate

    (annotated,) = annotate([clarification])
    assert cell.is_date and cell.value.date() == annotated.due_day
    assert cell.number_format.startswith('"Done" · ') and cell.number_format.endswith("yyyy")
    assert cell.fill.start_color.rgb.endswith("C6EFCE")
    # Printing: landscape, one page wide, the header row on every page.
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_title_rows == "$1:$1"


def test_reminder_settings_are_validated(client, call, teams, coordinator):
    client.force_login(coordinator)
    url = reverse("teams:reminders", args=[call.slug])
    response = client.post(url, {"reminders_enabled": "on", "reminder_days": "sept"})
    assert response.status_code == 400 and "whole numbers" in response.content.decode()
    assert client.post(url, {"reminder_days": "14, 3"}).status_code == 302
    call.refresh_from_db()
    assert not call.reminders_enabled and call.reminder_steps() == [14, 3]


def test_the_next_deadline_is_the_earliest_due_not_the_earliest_start(teams):
    from teams.follow.following import annotate, next_due, team_timeline

    team = teams[0]
    items = team_timeline(team)
    starts = [m.starts_at for m in items]
    assert starts == sorted(starts)  # the timeline reads in the order things begin
    exploration = next(m for m in items if m.key_date.kind == "exploration")
    # The exploration began first, but the report's due moment comes first among those ahead.
    for m in items:
        if m.key_date.kind in ("presentation", "clarification"):
            m.done_at = timezone.now()
    annotate(items)
    expected = min(
        (m for m in items if m.done_at is None and m.due_at > timezone.now()),
        key=lambda m: m.due_at,
    )
    assert next_due(items) == expected
    assert exploration.due_at >= expected.due_at


def test_the_coordinator_marks_a_plenary_step_done_for_every_team(client, call, teams, coordinator):
    client.force_login(coordinator)
    url = reverse("teams:follow_done", args=[call.slug])
    board = reverse("teams:follow", args=[call.slug])
    # Steps still ahead offer no button and are not marked.
    assert "✓ done for" not in client.get(board).content.decode()
    page = client.post(url, {"key": "presentation"}, follow=True).content.decode()
    assert "nothing to mark" in page
    presentation = KeyDate.objects.get(call=call, kind="presentation")
    presentation.starts_at = timezone.now() - timedelta(days=1)
    presentation.save()  # the evening took place yesterday
    assert "✓ done for 3 teams" in client.get(board).content.decode()
    # The button asks first, naming every team; nothing is marked yet.
    confirm = client.post(url, {"key": "presentation"})
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert all(t.commission.reference in text for t in teams)
    assert not Milestone.objects.filter(done_at__isnull=False).exists()
    ids = [m.pk for m in confirm.context["items"]]
    assert all(m.recent for m in confirm.context["items"])
    # Nothing ticked: a message, nothing marked.
    response = client.post(url, {"key": "presentation", "confirm": "1"})
    assert response.status_code == 400 and "Tick at least one team" in response.content.decode()
    response = client.post(
        url, {"key": "presentation", "confirm": "1", "milestone": ids}, follow=True
    )
    text = response.content.decode()
    assert "marked done for 3 teams" in text
    assert all(t.commission.reference in text for t in teams)
    done = Milestone.objects.filter(key_date__kind="presentation", done_at__isnull=False)
    assert done.count() == 3 and set(done.values_list("done_by", flat=True)) == {coordinator.pk}
    assert TeamEvent.objects.filter(kind="done").count() == 3
    # The board offers to undo it; undoing reopens the three and records it.
    assert 'id="undo-done"' in text
    response = client.post(url, {"action": "undo"}, follow=True)
    assert "open again" in response.content.decode()
    assert not Milestone.objects.filter(done_at__isnull=False).exists()
    assert TeamEvent.objects.filter(kind="reopened").count() == 3
    assert 'id="undo-done"' not in client.get(board).content.decode()
    # An unknown column marks nothing.
    assert "nothing to mark" in client.post(url, {"key": "<x>"}, follow=True).content.decode()
    assert not Milestone.objects.filter(key_date__kind="report", done_at__isnull=False).exists()


def test_a_step_long_past_is_late_and_not_ticked_by_default(client, call, teams, coordinator):
    """The clarification meeting one team never held is not marked done silently."""
    client.force_login(coordinator)
    clarification = Milestone.objects.filter(key_date__kind="clarification")
    late, *others = list(clarification.order_by("team__commission__reference"))
    Milestone.objects.filter(pk=late.pk).update(
        due_at=timezone.now() - timedelta(days=30), overridden=True
    )
    Milestone.objects.filter(pk__in=[m.pk for m in others]).update(
        due_at=timezone.now() - timedelta(hours=5)
    )
    url = reverse("teams:follow_done", args=[call.slug])
    confirm = client.post(url, {"key": "clarification"})
    items = {m.pk: m.recent for m in confirm.context["items"]}
    assert items[late.pk] is False and all(items[m.pk] for m in others)
    assert "late for this team" in confirm.content.decode()
    ticked = [pk for pk, recent in items.items() if recent]
    client.post(url, {"key": "clarification", "confirm": "1", "milestone": ticked})
    late.refresh_from_db()
    assert late.done_at is None
    assert clarification.filter(done_at__isnull=False).count() == len(others)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_dates_out_of_our_years_get_a_message(client, call, teams, coordinator, day):
    client.force_login(coordinator)
    response = client.post(
        reverse("teams:follow", args=[call.slug]),
        {"label": "Note", "date": day, "time": "", "actor": "students", "location": ""},
    )
    assert response.status_code == 400
    assert "Give a date between the years 2000 and 2100." in response.content.decode()
    report = report_of(teams[0])
    moved = client.post(
        reverse("teams:milestone_move", args=[teams[0].pk, report.pk]), {"date": day}, follow=True
    )
    assert moved.status_code == 200 and "Give a valid date" in moved.content.decode()
    assert report_of(teams[0]).starts_at == report.starts_at


def test_the_institution_sees_its_own_next_action_first(client, teams):
    """Not the supervisor's check-point: its own step, then its feedback once the report is in."""
    from teams.follow.following import add_deliverable

    team = teams[0]
    token = AccessToken.issue(team.commission)
    page = client.get(reverse("commissions:portal", args=[token]))
    own = page.context["next"]
    assert own is not None and own.key_date.actor == "institution"
    text = page.content.decode()
    assert text.index('id="your-next-action"') < text.index('id="your-team"')
    assert 'id="what-next"' in text
    add_deliverable(
        report_of(team), SimpleUploadedFile("rapport.pdf", PDF), team.members.all()[0].user
    )
    text = client.get(reverse("commissions:portal", args=[token])).content.decode()
    assert "Give your feedback on the mission report" in text
    assert text.index('id="your-next-action"') < text.index('id="your-team"')


def test_a_report_is_a_draft_until_a_member_sends_it_with_a_confirmation(client, teams):
    """Uploaded three months early, the report went to the institution at once."""
    team = teams[0]
    student = team.members.all()[0]
    report = report_of(team)
    token = AccessToken.issue(team.commission)
    client.force_login(student.user)
    client.post(
        reverse("teams:upload", args=[team.pk, report.pk]),
        {"file": SimpleUploadedFile("brouillon.pdf", PDF)},
    )
    draft = report.deliverables.get()
    assert draft.sent_at is None
    page = client.get(reverse("teams:team", args=[team.pk])).content.decode()
    assert "draft" in page and reverse("teams:send", args=[team.pk, draft.pk]) in page
    assert "Send to the institution" in page
    # The institution sees nothing of it, and cannot fetch it.
    client.logout()
    portal = client.get(reverse("commissions:portal", args=[token])).content.decode()
    assert "brouillon.pdf" not in portal and 'id="feedback"' not in portal
    url = reverse("teams:institution_download", args=[token, draft.pk])
    assert client.get(url).status_code == 404
    # Sending asks for the tick first.
    client.force_login(student.user)
    client.cookies["django_language"] = "en"  # logging out dropped the cookie
    send = reverse("teams:send", args=[team.pk, draft.pk])
    response = client.post(send, follow=True)
    assert "tick the box" in response.content.decode()
    draft.refresh_from_db()
    assert draft.sent_at is None
    response = client.post(send, {"confirm": "1"}, follow=True)
    assert "is sent" in response.content.decode()
    draft.refresh_from_db()
    report.refresh_from_db()
    assert draft.sent_at and draft.sent_by == student.user and report.done_at
    assert TeamEvent.objects.filter(kind="deliverable", message__contains="draft").exists()
    client.logout()
    portal = client.get(reverse("commissions:portal", args=[token])).content.decode()
    assert "brouillon.pdf" in portal and 'id="feedback"' in portal
    assert client.get(url).status_code == 200
    # Another team's member cannot send it.
    client.force_login(teams[1].members.all()[0].user)
    assert client.post(send, {"confirm": "1"}).status_code == 404


def test_the_supervisor_home_names_steps_by_their_titles(client, call, teams, coordinator):
    """Two steps showed as "Other" (their kind) on the supervisor's home, not their titles."""
    from teams.follow import following

    following.add_call_milestone(
        call,
        coordinator,
        "Point d'étape avec l'accompagnatrice",
        timezone.now() + timedelta(days=20),
        "supervisor",
        "",
        "",
    )
    client.force_login(teams[0].supervisor.user)
    page = client.get(reverse("teams:supervisor_home")).content.decode()
    assert "Point d&#x27;étape avec l&#x27;accompagnatrice" in page
    assert ">Other<" not in page


def test_the_supervisor_home_is_for_supervisors_even_before_their_teams_are_out(
    client, call, django_user_model
):
    """Without a published team the page says they will come; without a role it does not exist."""
    from teams.models import Supervisor

    url = reverse("teams:supervisor_home")
    client.force_login(django_user_model.objects.create_user("nobody", "nobody@uni.example"))
    assert client.get(url).status_code == 404
    user = django_user_model.objects.create_user("waiting", "waiting@uni.example")
    Supervisor.objects.create(call=call, user=user)
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    assert "Your teams appear here once the coordinators publish them." in response.content.decode()
