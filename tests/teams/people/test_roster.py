"""Roster import: parse and check, all-or-nothing, idempotent re-import, invitations once."""

from io import BytesIO

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from factories import make_call, queued_tasks, zip_bytes
from openpyxl import Workbook, load_workbook

from commissions.models import Email, Programme
from teams.models import RosterImport, Student, Supervisor
from teams.people import importing, roster
from teams.people.accounts import account_for

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STUDENT_HEADER = ["Prénom", "Nom", "E-mail", "Études antérieures", "Langues", "Remarques"]
SUPERVISOR_HEADER = ["First name", "Last name", "Email", "Sectors", "Capacity"]


def workbook(rows, header=STUDENT_HEADER, text_cells=()):
    """An .xlsx in memory; text_cells [(row, col)] are kept as text even if they start "="."""
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for row, col in text_cells:
        sheet.cell(row=row, column=col).data_type = "s"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def students(n, start=0, studies="Bachelier en travail social"):
    return [
        [f"Prénom{i}", f"Nom{i}", f"etudiant{i}@uclouvain.example", studies, "fr, anglais", ""]
        for i in range(start, start + n)
    ]


@pytest.fixture
def coord_client(client, coordinator):
    client.force_login(coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # messages are checked in English
    return client


def upload(client, call, data, kind="students", name="roster.xlsx"):
    url = reverse("teams:roster_upload", args=[call.slug, kind])
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type=XLSX)})


def upload_and_review(client, call, data, kind="students", name="roster.xlsx"):
    response = upload(client, call, data, kind, name)
    assert response.status_code == 302, response.content[:500]
    roster_import = RosterImport.objects.latest("pk")
    assert response["Location"] == reverse(
        "teams:roster_review", args=[call.slug, roster_import.pk]
    )
    page = client.get(response["Location"])
    assert page.status_code == 200
    return roster_import, page.content.decode()


def confirm(client, call, roster_import, capture):
    url = reverse("teams:roster_review", args=[call.slug, roster_import.pk])
    with capture(execute=True):
        response = client.post(url, follow=True)
    assert response.status_code == 200
    roster_import.refresh_from_db()
    return response.content.decode()


def invitations():
    return Email.objects.filter(kind="invitation_student").count()


# --------------------------------------------------------------------------- the flow


def test_valid_students_preview_then_confirm_creates_users_and_invites(
    coord_client, call, broker, django_user_model, django_capture_on_commit_callbacks
):
    users_before = django_user_model.objects.count()
    data = workbook(
        [
            ["Anne", "Martin", "Anne.Martin@UCLouvain.example", "Bac AS", "français; EN", "x"],
            ["Bram", "Peeters", "bram@uclouvain.example", "Sociologie", "nl, fr", None],
        ]
    )
    roster_import, page = upload_and_review(coord_client, call, data)
    assert not roster_import.errors and len(roster_import.rows) == 2
    assert "Anne" in page and "To add" in page and "Confirm the import" in page
    assert "will not be removed" in page
    assert not Student.objects.exists() and django_user_model.objects.count() == users_before

    page = confirm(coord_client, call, roster_import, django_capture_on_commit_callbacks)
    assert "Import confirmed: 2 added, 0 updated, 0 unchanged. Invitations queued: 2." in page
    assert roster_import.applied_at is not None
    assert roster_import.outcome == {"created": 2, "updated": 0, "unchanged": 0, "invited": 2}
    anne = Student.objects.select_related("user").get(user__email="anne.martin@uclouvain.example")
    assert (anne.user.first_name, anne.user.last_name) == ("Anne", "Martin")
    assert not anne.user.has_usable_password()
    assert anne.languages == ["fr", "en"] and anne.prior_studies == "Bac AS" and anne.notes == "x"
    assert anne.invited_at is not None and anne.call == call
    bram = Student.objects.get(user__email="bram@uclouvain.example")
    assert bram.languages == ["nl", "fr"] and bram.language == "fr"
    assert django_user_model.objects.count() == users_before + 2
    assert invitations() == 2
    assert Email.objects.filter(kind="invitation_student", to=anne.user.email).count() == 1
    queued = [func for func, _args, _kw in queued_tasks(broker)]
    assert queued.count("commissions.tasks.deliver_email") == 2


def test_one_bad_row_writes_nothing_and_names_the_row(
    coord_client, call, django_user_model, django_capture_on_commit_callbacks
):
    users_before = django_user_model.objects.count()
    rows = students(3)
    rows[1][2] = ""  # row 3 of the sheet: no e-mail
    roster_import, page = upload_and_review(coord_client, call, workbook(rows))
    assert roster_import.errors == [{"row": 3, "column": "email", "code": "required", "params": {}}]
    assert "Nothing was written." in page
    assert '<tr data-row="3"><td>3</td><td>E-mail</td><td>This cell is empty' in page
    assert "Confirm the import" not in page and 'type="file"' in page
    page = confirm(coord_client, call, roster_import, django_capture_on_commit_callbacks)
    assert "This file has errors" in page
    assert roster_import.applied_at is None
    assert not Student.objects.exists() and django_user_model.objects.count() == users_before
    assert invitations() == 0


def test_row_errors_invalid_duplicate_and_unknown_language(coord_client, call):
    rows = students(4)
    rows[1][2] = "not-an-address"
    rows[2][2] = rows[0][2].upper()
    rows[3][4] = "français, klingon"
    roster_import, page = upload_and_review(coord_client, call, workbook(rows))
    codes = [(e["row"], e["column"], e["code"]) for e in roster_import.errors]
    assert codes == [
        (3, "email", "invalid_email"),
        (4, "email", "duplicate_email"),
        (5, "languages", "unknown_language"),
    ]
    assert "is already on row 2" in page
    assert "Unknown language “klingon”. Allowed: fr (French)" in page
    assert not Student.objects.exists()


def test_reimport_of_the_same_file_changes_nothing_and_invites_once(
    coord_client, call, django_user_model, django_capture_on_commit_callbacks
):
    data = workbook(students(3))
    first, _page = upload_and_review(coord_client, call, data)
    confirm(coord_client, call, first, django_capture_on_commit_callbacks)
    users, invited_at = (
        django_user_model.objects.count(),
        {s.pk: s.invited_at for s in Student.objects.all()},
    )
    assert invitations() == 3

    again, page = upload_and_review(coord_client, call, data)
    assert again.digest == first.digest
    assert "To add" not in page and "3 people unchanged" in page
    # Nothing would change: no button to confirm, a message instead.
    assert "Confirm the import" not in page and 'id="nothing-to-import"' in page
    page = confirm(coord_client, call, again, django_capture_on_commit_callbacks)
    assert again.outcome == {"created": 0, "updated": 0, "unchanged": 3, "invited": 0}
    assert django_user_model.objects.count() == users and Student.objects.count() == 3
    assert {s.pk: s.invited_at for s in Student.objects.all()} == invited_at
    assert invitations() == 3


def test_reimport_with_a_changed_row_updates_it_and_keeps_absent_people(
    coord_client, call, django_capture_on_commit_callbacks
):
    first, _page = upload_and_review(coord_client, call, workbook(students(3)))
    confirm(coord_client, call, first, django_capture_on_commit_callbacks)
    rows = students(2)
    rows[0][1] = "Nom-Corrigé"  # an import never renames an account
    rows[0][2] = rows[0][2].upper()  # matched without case
    rows[0][3] = "Droit"
    rows[1][4] = "de"
    changed, page = upload_and_review(coord_client, call, workbook(rows))
    assert "To update" in page and "<del>fr, en</del>" in page
    confirm(coord_client, call, changed, django_capture_on_commit_callbacks)
    assert changed.outcome == {"created": 0, "updated": 2, "unchanged": 0, "invited": 0}
    assert Student.objects.count() == 3  # the third, absent from the new file, stays
    first_student = Student.objects.get(user__email="etudiant0@uclouvain.example")
    assert first_student.user.last_name == "Nom0" and first_student.prior_studies == "Droit"
    assert Student.objects.get(user__email="etudiant1@uclouvain.example").languages == ["de"]
    assert invitations() == 3


def test_confirming_twice_does_nothing_the_second_time(
    coord_client, call, django_capture_on_commit_callbacks
):
    roster_import, _page = upload_and_review(coord_client, call, workbook(students(2)))
    confirm(coord_client, call, roster_import, django_capture_on_commit_callbacks)
    applied_at, outcome = roster_import.applied_at, roster_import.outcome
    page = confirm(coord_client, call, roster_import, django_capture_on_commit_callbacks)
    assert "already confirmed" in page and "were not removed" in page
    assert (roster_import.applied_at, roster_import.outcome) == (applied_at, outcome)
    assert Student.objects.count() == 2 and invitations() == 2


def test_a_stale_preview_still_applies_against_the_current_people(
    coord_client, call, django_capture_on_commit_callbacks
):
    roster_import, _page = upload_and_review(coord_client, call, workbook(students(2)))
    # Meanwhile, someone adds the first student by hand, with other studies.
    user, _new = account_for("Etudiant0@UCLouvain.example", "P", "N")
    Student.objects.create(call=call, user=user, prior_studies="Autre", languages=["fr"])
    confirm(coord_client, call, roster_import, django_capture_on_commit_callbacks)
    assert roster_import.outcome == {"created": 1, "updated": 1, "unchanged": 0, "invited": 2}
    assert Student.objects.count() == 2
    assert Student.objects.get(user=user).prior_studies == "Bachelier en travail social"


# --------------------------------------------------------------------------- supervisors


def test_supervisors_unknown_sector_and_wrong_capacity_are_reported(coord_client, call, vocab):
    data = workbook(
        [
            ["Marc", "Lambert", "marc@uclouvain.example", "CPAS; Jeunesse", 2],
            ["Lea", "Dubois", "lea@uclouvain.example", "cpas", "two"],
            ["Paul", "Henry", "paul@uclouvain.example", "", 0],
        ],
        header=SUPERVISOR_HEADER,
    )
    roster_import, page = upload_and_review(coord_client, call, data, kind="supervisors")
    codes = [(e["row"], e["column"], e["code"]) for e in roster_import.errors]
    assert codes == [
        (2, "sectors", "unknown_sector"),
        (3, "capacity", "not_integer"),
        (4, "capacity", "not_positive"),
    ]
    assert (
        "Unknown sector “Jeunesse”. Known sectors: CPAS, Alphabétisation, Aide à la jeunesse, "
        "Santé mentale." in page
    )
    assert "“two” is not a whole number." in page
    assert not Supervisor.objects.exists()


def test_supervisors_import_sets_sectors_and_capacity(
    coord_client, call, vocab, django_capture_on_commit_callbacks
):
    data = workbook(
        [
            ["Marc", "Lambert", "marc@uclouvain.example", "santé mentale, CPAS", 2],
            ["Léa", "Dubois", "lea@uclouvain.example", "", "3"],
        ],
        header=["Prénom", "NOM", "Courriel", "Secteurs d'expertise", "Capacité (équipes)"],
    )
    roster_import, _page = upload_and_review(coord_client, call, data, kind="supervisors")
    assert not roster_import.errors
    confirm(coord_client, call, roster_import, django_capture_on_commit_callbacks)
    marc = Supervisor.objects.get(user__email="marc@uclouvain.example")
    assert marc.capacity == 2
    assert {s.name for s in marc.sectors.all()} == {"Santé mentale", "CPAS"}
    assert Supervisor.objects.get(user__email="lea@uclouvain.example").capacity == 3
    assert Email.objects.filter(kind="invitation_supervisor").count() == 2


# --------------------------------------------------------------------------- bad files


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"hello", "cannot be read as an Excel workbook"),
        (zip_bytes([("notes.txt", "pas un classeur")]), "cannot be read as an Excel workbook"),
        (workbook(students(30))[:3000], "cannot be read as an Excel workbook"),
        (b"", "The file is empty."),
        (workbook([], header=[]), "The file is empty."),
        (workbook([]), "The file has a header row but nobody listed below it."),
        (workbook([["a", "b"]], header=["x", "y"]), "No header row found"),
    ],
    ids=[
        "not-excel",
        "zip-not-xlsx",
        "truncated",
        "zero-bytes",
        "no-cells",
        "header-only",
        "no-header",
    ],
)
def test_bad_files_get_a_clear_message_never_a_500(coord_client, call, data, message):
    roster_import, page = upload_and_review(coord_client, call, data)
    assert message in page and "Nothing was written." in page
    assert roster_import.rows == [] and not Student.objects.exists()


def test_missing_column_is_named(coord_client, call):
    header = ["Prénom", "Nom", "E-mail", "Études antérieures"]
    roster_import, page = upload_and_review(
        coord_client, call, workbook([["A", "B", "a@b.example", "x"]], header=header)
    )
    assert roster_import.errors[0]["code"] == "missing_columns"
    assert "Missing column: Languages." in page


def test_too_large_and_too_many_rows(coord_client, call, monkeypatch):
    monkeypatch.setattr(roster, "MAX_ROWS", 5)
    roster_import, page = upload_and_review(coord_client, call, workbook(students(6)))
    assert "Too many rows: at most 5 people per file." in page
    monkeypatch.setattr(roster, "MAX_BYTES", 1000)
    roster_import, page = upload_and_review(coord_client, call, workbook(students(6)))
    assert roster_import.errors[0]["code"] == "too_large" and "The file is too large" in page


def test_long_sheets_and_zip_bombs_are_refused(monkeypatch):
    data = workbook(students(3) + [[None]] * 10 + students(1, start=3))
    monkeypatch.setattr(roster, "MAX_SCAN", 8)
    assert [e["code"] for e in roster.parse("students", data).errors] == ["sheet_too_long"]
    monkeypatch.setattr(roster, "MAX_UNPACKED", 1000)
    errors = roster.parse("students", data).errors
    assert [e["code"] for e in errors] == ["too_large_unpacked"]
    with translation.override("en"):
        assert roster.describe(errors[0]).startswith("Once unpacked, this workbook is too large")


def test_formula_like_notes_are_stored_as_text(
    coord_client, call, django_capture_on_commit_callbacks
):
    rows = students(1)
    rows[0][5] = '=HYPERLINK("http://evil.example","x")'
    roster_import, page = upload_and_review(coord_client, call, workbook(rows, text_cells=[(2, 6)]))
    assert "=HYPERLINK(&quot;http://evil.example&quot;" in page
    confirm(coord_client, call, roster_import, django_capture_on_commit_callbacks)
    assert Student.objects.get().notes == '=HYPERLINK("http://evil.example","x")'


def test_template_is_a_valid_workbook_that_reads_back(coord_client, call, vocab):
    response = coord_client.get(reverse("teams:roster_template", args=[call.slug, "supervisors"]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment; filename=")
    book = load_workbook(BytesIO(response.content))
    assert len(book.sheetnames) == 2
    sheet, help_sheet = book.worksheets
    assert [c.value for c in sheet[1]] == [
        "First name",
        "Last name",
        "E-mail",
        "Expertise sectors",
        "Capacity (teams)",
    ]
    assert sheet.column_dimensions["C"].width > 20
    help_text = [c for row in help_sheet.iter_rows(values_only=True) for c in row if c]
    assert "Santé mentale" in help_text
    # The example row is refused as such; replaced by a real person, the file imports.
    parsed = roster.parse("supervisors", response.content, importing.sector_choices())
    assert [e["code"] for e in parsed.errors] == ["example_row"]
    sheet["C2"] = "vrai@uclouvain.example"
    buffer = BytesIO()
    book.save(buffer)
    assert roster.parse("supervisors", buffer.getvalue(), importing.sector_choices()).errors == []

    students_template = coord_client.get(
        reverse("teams:roster_template", args=[call.slug, "students"])
    )
    help_sheet = load_workbook(BytesIO(students_template.content)).worksheets[1]
    codes = [row[1] for row in help_sheet.iter_rows(values_only=True)]
    assert {"fr", "nl", "de", "en", "lb"} <= set(codes)


def test_template_headers_follow_the_active_language(call):
    with translation.override("fr"):
        content = roster.template_workbook("students", "Étudiant·es", [])
    header = [c.value for c in load_workbook(BytesIO(content)).worksheets[0][1]]
    with translation.override("fr"):
        assert header == [str(roster.label(n)) for n, _r in roster.COLUMNS["students"]]
    # Whatever the translation, the template's own headers read back.
    assert roster.parse("students", content).errors[0]["code"] == "example_row"


# --------------------------------------------------------------------------- access, pages


def test_access(client, call, coord_client, django_user_model, programme):
    upload_url = reverse("teams:roster_upload", args=[call.slug, "students"])
    assert coord_client.get(upload_url).status_code == 200
    assert (
        coord_client.get(reverse("teams:roster_upload", args=[call.slug, "aliens"])).status_code
        == 404
    )
    assert (
        coord_client.get(reverse("teams:roster_template", args=[call.slug, "x"])).status_code == 404
    )
    other = make_call(Programme.objects.create(name="Autre", slug="autre"), slug="autre-2030")
    foreign = RosterImport.objects.create(call=other, kind="students", filename="f", digest="0")
    url = reverse("teams:roster_review", args=[call.slug, foreign.pk])
    assert coord_client.get(url).status_code == 404

    from django.test import Client

    anonymous = Client()
    response = anonymous.get(upload_url)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    student = django_user_model.objects.create_user("s", "s@x.example", "pw-student-123")
    outsider = Client()
    outsider.force_login(student)
    assert outsider.get(upload_url).status_code == 403
    assert outsider.post(upload_url, {}).status_code == 403
    mine = RosterImport.objects.create(call=call, kind="students", filename="f", digest="0")
    review_url = reverse("teams:roster_review", args=[call.slug, mine.pk])
    assert outsider.get(review_url).status_code == 403
    assert outsider.post(review_url).status_code == 403
    template_url = reverse("teams:roster_template", args=[call.slug, "students"])
    assert outsider.get(template_url).status_code == 403


def test_upload_page_has_the_form_the_progress_bar_and_the_template_link(coord_client, call):
    page = coord_client.get(reverse("teams:roster_upload", args=[call.slug, "students"]))
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html and "<progress" in html
    assert "/static/teams/upload.js" in html and "<script>" not in html
    assert reverse("teams:roster_template", args=[call.slug, "students"]) in html
    # Without a file: the form says so, nothing is recorded.
    response = coord_client.post(reverse("teams:roster_upload", args=[call.slug, "students"]))
    assert response.status_code == 200 and not RosterImport.objects.exists()


@pytest.mark.parametrize("count", [10, 200])
def test_review_page_query_count_does_not_grow(
    coord_client, call, count, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    # Half of them exist already, one changed: the preview has every kind of row.
    existing, _page = upload_and_review(coord_client, call, workbook(students(count // 2)))
    confirm(coord_client, call, existing, django_capture_on_commit_callbacks)
    roster_import, _page = upload_and_review(
        coord_client, call, workbook(students(count, studies="Autre"))
    )
    url = reverse("teams:roster_review", args=[call.slug, roster_import.pk])
    with django_assert_max_num_queries(6):
        page = coord_client.get(url)
    assert page.content.decode().count("<tr>") >= count


# --------------------------------------------------------------------------- pure parsing


def test_headers_are_matched_without_case_accents_or_language():
    header = ["  PRENOM ", "last name", "Adresse e-mail", "Etudes anterieures", "LANGUAGES", "x"]
    parsed = roster.parse(
        "students", workbook([["A", "B", "a@b.example", "Bac", "lu, Deutsch", "?"]], header)
    )
    assert parsed.errors == []
    assert parsed.rows[0]["languages"] == ["lb", "de"]


def test_blank_rows_are_skipped_and_row_numbers_are_the_sheets():
    book = Workbook()
    sheet = book.active
    sheet.append(["Liste des étudiant·es 2030"])
    sheet.append([])
    sheet.append(STUDENT_HEADER)
    sheet.append(["A", "B", "a@b.example", "Bac", "fr", None])
    sheet.append([])
    sheet.append(["C", "D", "", "Bac", "fr", None])
    sheet.append([None] * 7 + ["Total: 2"])  # beside the list: not a person
    buffer = BytesIO()
    book.save(buffer)
    parsed = roster.parse("students", buffer.getvalue())
    assert [r["row"] for r in parsed.rows] == [4]
    assert [(e["row"], e["code"]) for e in parsed.errors] == [(6, "required")]


def test_duplicate_column_is_reported():
    header = ["Prénom", "Nom", "E-mail", "Courriel", "Études", "Langues"]
    parsed = roster.parse("students", workbook([["A", "B", "a@b.example"] * 2], header))
    assert [e["code"] for e in parsed.errors] == ["duplicate_column"]
    with translation.override("en"):
        message = roster.describe(parsed.errors[0])
    assert message == "The column E-mail appears twice (columns C and D)."


def test_plan_tells_create_update_unchanged():
    rows = [
        {"email": "a@x", "first_name": "A", "last_name": "B", "sector_ids": [2, 1], "capacity": 1},
        {"email": "b@x", "first_name": "C", "last_name": "D", "sector_ids": [], "capacity": 2},
        {"email": "c@x", "first_name": "E", "last_name": "F", "sector_ids": [], "capacity": 1},
    ]
    existing = {
        "a@x": {**rows[0], "sector_ids": [1, 2], "invited": True},
        "b@x": {**rows[1], "capacity": 1, "invited": False},
    }
    entries, counts = roster.plan("supervisors", rows, existing)
    assert [e["action"] for e in entries] == ["unchanged", "update", "create"]
    assert entries[1]["changes"] == [{"field": "capacity", "old": "1", "new": "2"}]
    assert counts == {"create": 1, "update": 1, "unchanged": 1, "invite": 2}
