"""Bad input on the follow-up side (issue 5): documents handed in (random bytes, fake or
broken Office files, hostile names), the supervisor's and coordinator's milestone forms, the
call-wide milestone, the reminder settings, the institution's feedback and calendar tokens.

Properties: never a 500; a refused document stores nothing and says why; what was typed
comes back escaped; stored names are never paths; the board workbook holds no formula.
"""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from factories import zip_bytes
from fuzzing import (
    FUZZ,
    FUZZ_EXPORT,
    assert_kept_escaped,
    assert_no_formula,
    assert_no_raw_markup,
    ids,
    oversized,
    page_text,
    post,
    rolled_back,
    texts,
    values,
)
from hypothesis import event, given
from hypothesis import strategies as st

from commissions.models import AccessToken, Institution
from teams.models import Deliverable, Feedback, Milestone

pytestmark = pytest.mark.django_db

NASTY = ["<script>alert('xss')</script>", "=cmd|' /C calc'!A0", "+SUM(1+1)", "@SUM(A1)"]


@pytest.fixture
def year(call, client, coordinator, teams):
    Institution.objects.update(name=NASTY[0])
    for i, team in enumerate(teams):
        team.commission.title = NASTY[i % len(NASTY)]
        team.commission.save()
    team = teams[0]
    student = Client()
    student.force_login(team.members.all()[0].user)
    client.force_login(coordinator)
    supervisor = Client()
    supervisor.force_login(team.supervisor.user)
    return {
        "call": call,
        "team": team,
        "report": team.milestones.get(key_date__kind="report"),
        "coordinator": client,
        "student": student,
        "supervisor": supervisor,
        "token": AccessToken.issue(team.commission),
    }


DOCUMENT_BYTES = st.one_of(
    st.binary(max_size=2000),
    st.binary(max_size=500).map(lambda b: b"%PDF-1." + b),
    st.binary(max_size=500).map(lambda b: b"PK\x03\x04" + b),
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "mimetype",
                    "[Content_Types].xml",
                    "word/document.xml",
                    "ppt/presentation.xml",
                    "../evil",
                    "content.xml",
                ]  # fmt: skip
            ),
            st.one_of(st.just(b"application/vnd.oasis.opendocument.text"), st.binary(max_size=200)),
        ),
        max_size=4,
        unique_by=lambda t: t[0],
    ).map(zip_bytes),
)
NAMES = st.one_of(
    st.sampled_from(
        [
            "rapport.pdf",
            "rapport.docx",
            "slides.pptx",
            "note.odt",
            "../../etc/passwd.pdf",
            "C:\\Users\\a\\r.pdf",
            "r.pdf.exe",
            "<script>.pdf",
            ".pdf",
            "rapport.PDF",
            "a\u202etxt.pdf",
        ]  # fmt: skip
    ),
    texts(80).map(lambda t: t + ".pdf"),
)


@FUZZ
@given(data=DOCUMENT_BYTES, name=NAMES)
def test_handing_in_a_document(year, data, name):
    team, report = year["team"], year["report"]
    with rolled_back():
        try:
            upload = SimpleUploadedFile(name, data)
        except Exception:  # a name the multipart encoder itself cannot carry
            return
        response = year["student"].post(
            reverse("teams:upload", args=[team.pk, report.pk]), {"file": upload}
        )
        event(f"status {response.status_code}")
        assert_no_raw_markup(response)
        assert response.status_code in (302, 400)
        stored = list(Deliverable.objects.all())
        if response.status_code == 400:
            assert not stored and 'role="alert"' in page_text(response)
            assert Milestone.objects.get(pk=report.pk).done_at is None
        else:
            (document,) = stored
            assert document.kind in ("pdf", "docx", "pptx", "odt")
            assert "/" not in document.filename and "\\" not in document.filename
            path = os.path.realpath(document.file.path)
            from django.conf import settings

            assert path.startswith(os.path.realpath(settings.PRIVATE_MEDIA_ROOT))
            document.file.delete(save=False)


@FUZZ
@given(
    data=st.data(),
    who=st.sampled_from(["supervisor", "coordinator", "student"]),
    form=st.sampled_from(["milestone_update", "milestone_move"]),
)
def test_milestone_forms(year, data, who, form):
    team, report = year["team"], year["report"]
    posted = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                "done": values(),
                "note": values(),
                "date": values(),
                "time": values(),
                "reset": values(),
            },  # fmt: skip
        ),
        label="posted",
    )
    milestone = data.draw(st.one_of(st.just(str(report.pk)), ids()), label="milestone")
    try:
        url = reverse(f"teams:{form}", args=[team.pk, milestone])
    except Exception:
        return
    with rolled_back():
        response = post(year[who], url, posted)
        event(f"{who} {form} {response.status_code}")
        assert_no_raw_markup(response)
        assert response.status_code in (302, 400, 404)
        if who == "student":
            assert response.status_code == 404


@FUZZ
@given(
    posted=st.fixed_dictionaries(
        {"label": texts(250), "date": values(), "actor": values()},
        optional={"time": values(), "location": texts(300), "hand_in": values()},
    )
)
def test_call_wide_milestone_form(year, posted):
    with rolled_back():
        before = Milestone.objects.count()
        response = post(
            year["coordinator"], reverse("teams:follow", args=[year["call"].slug]), posted
        )
        event(f"status {response.status_code}")
        assert_no_raw_markup(response)
        assert response.status_code in (302, 400)
        if response.status_code == 400:
            assert Milestone.objects.count() == before
            if not oversized(posted):  # a body over the limit is refused before any form
                assert_kept_escaped(response, posted, ["label", "location"])


@FUZZ
@given(posted=st.fixed_dictionaries({}, optional={"reminders_enabled": values(),
                                                  "reminder_days": values()}))  # fmt: skip
def test_reminder_settings_form(year, posted):
    with rolled_back():
        response = post(
            year["coordinator"], reverse("teams:reminders", args=[year["call"].slug]), posted
        )
        assert_no_raw_markup(response)
        assert response.status_code in (302, 400)
        if response.status_code == 302:
            year["call"].refresh_from_db()
            assert year["call"].reminder_steps()


@FUZZ
@given(
    posted=st.fixed_dictionaries(
        {}, optional={"usefulness": values(), "improve": texts(), "comments": texts()}
    )
)
def test_institution_feedback_form(year, posted):
    from teams.follow.following import add_deliverable

    team, report = year["team"], year["report"]
    client = Client()
    with rolled_back():
        add_deliverable(report, SimpleUploadedFile("r.pdf", b"%PDF-1.7\n"), None)
        response = post(client, reverse("teams:institution_feedback", args=[year["token"]]), posted)
        event(f"status {response.status_code}")
        assert_no_raw_markup(response)
        # A bad form: the page again (200), opening on its error summary; 400 only for a
        # request too large to read.
        assert response.status_code in (302, 200) or (
            response.status_code == 400 and oversized(posted)
        )
        if response.status_code == 400:
            assert not Feedback.objects.exists()
        elif response.status_code == 200:
            assert not Feedback.objects.exists()
            assert 'id="error-summary"' in page_text(response)
            if not oversized(posted):
                assert_kept_escaped(response, posted, ["improve", "comments"])
        else:
            feedback = Feedback.objects.get(team=team)
            assert 1 <= feedback.usefulness <= 5
            page = client.get(reverse("commissions:portal", args=[year["token"]]))
            assert page.status_code == 200
            assert_no_raw_markup(page)


@FUZZ_EXPORT
@given(label=texts(200), improve=texts(), comments=texts())
def test_board_and_its_workbook(year, label, improve, comments):
    from django.utils import timezone

    from teams.follow.following import add_call_milestone, local_start

    team = year["team"]
    with rolled_back():
        if label.strip() and "\x00" not in label:
            add_call_milestone(
                year["call"], None, label[:200], local_start(timezone.localdate()), "students"
            )
        # Stored as the form would let it through: its fields refuse NUL characters.
        improve, comments = improve.replace("\x00", ""), comments.replace("\x00", "")
        Feedback.objects.create(team=team, usefulness=3, improve=improve, comments=comments)
        board = year["coordinator"].get(reverse("teams:follow", args=[year["call"].slug]))
        assert board.status_code == 200
        assert_no_raw_markup(board)
        export = year["coordinator"].get(reverse("teams:follow_export", args=[year["call"].slug]))
        assert export.status_code == 200
        assert_no_formula(export.content)


@FUZZ
@given(token=st.one_of(ids(), texts(100)))
def test_calendar_tokens(client, token):
    try:
        url = reverse("teams:calendar", args=[token])
    except Exception:
        return
    response = client.get(url)
    assert response.status_code in (404, 400, 301)
