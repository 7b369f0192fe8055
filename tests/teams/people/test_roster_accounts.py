"""A roster import never renames an account, and refuses staff accounts and accounts of
another programme with a row error (it once enrolled the superuser and sent him a link)."""

from io import BytesIO

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from factories import make_call
from openpyxl import Workbook

from commissions.models import Email, Programme
from commissions.roles import make_coordinator, make_reviewer
from teams.models import RosterImport, Student
from teams.people import importing

pytestmark = pytest.mark.django_db
HEADER = ["Prénom", "Nom", "E-mail", "Études antérieures", "Langues"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _roster(*emails):
    book = Workbook()
    book.active.append(HEADER)
    for i, email in enumerate(emails):
        book.active.append([f"Prénom{i}", f"Nom{i}", email, "Droit", "fr"])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def coord_client(client, coordinator):
    client.force_login(coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def other_programme(db):
    return Programme.objects.create(name="MIAS 2", short_name="MIAS2", slug="mias-2")


def _upload(client, call, data):
    url = reverse("teams:roster_upload", args=[call.slug, "students"])
    response = client.post(url, {"file": SimpleUploadedFile("r.xlsx", data, content_type=XLSX)})
    assert response.status_code == 302
    roster_import = RosterImport.objects.latest("pk")
    return roster_import, client.get(response["Location"]).content.decode()


def test_staff_and_other_programmes_accounts_are_row_errors(
    coord_client, call, other_programme, django_user_model
):
    django_user_model.objects.create_superuser("root", "root@uni.example", "pw-root-123")
    other_coord = django_user_model.objects.create_user("oc", "oc@uni.example", "pw-123456")
    make_coordinator(other_coord, other_programme)
    other_student = django_user_model.objects.create_user("os", "os@uni.example", "pw-123456")
    Student.objects.create(call=make_call(other_programme, slug="b-2030"), user=other_student)
    other_reviewer = django_user_model.objects.create_user("orv", "orv@uni.example", "pw-1234")
    make_reviewer(other_reviewer, other_programme)
    data = _roster(
        "ROOT@uni.example", "oc@uni.example", "os@uni.example", "orv@uni.example", "new@uni.example"
    )
    roster_import, page = _upload(coord_client, call, data)
    assert [(e["row"], e["code"]) for e in roster_import.errors] == [
        (2, "staff_account"),
        (3, "staff_account"),
        (4, "other_programme"),
        (5, "other_programme"),
    ]
    assert "root@uni.example is a staff account" in page
    assert "os@uni.example is an account of another programme" in page
    with pytest.raises(importing.ImportRefused):
        importing.apply(roster_import)
    assert not Student.objects.filter(call=call).exists() and not Email.objects.exists()
    root = django_user_model.objects.get(username="root")
    assert (root.first_name, root.last_name) == ("", "")


def test_an_account_that_became_staff_after_the_upload_is_refused_at_confirmation(
    coord_client, call, django_user_model
):
    roster_import, _page = _upload(coord_client, call, _roster("anne@uni.example"))
    assert roster_import.errors == []
    user = django_user_model.objects.create_user("anne", "anne@uni.example", "pw-123456")
    make_coordinator(user, call.programme)
    with pytest.raises(importing.ImportRefused):
        importing.apply(roster_import)
    roster_import.refresh_from_db()
    assert roster_import.applied_at is None and not Student.objects.exists()


def test_an_existing_account_is_enrolled_but_never_renamed(coord_client, call, django_user_model):
    user = django_user_model.objects.create_user(
        "anne", "anne@uni.example", "pw-123456", first_name="Anne", last_name="Martin"
    )
    roster_import, _page = _upload(coord_client, call, _roster("Anne@Uni.example"))
    assert roster_import.errors == []
    importing.apply(roster_import)
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Anne", "Martin")
    assert Student.objects.get(call=call).user == user
