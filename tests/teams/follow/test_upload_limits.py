"""Uploads are bounded: a document's declared unpacked size and parts, each upload view's
limit (refused unread, with the limit in words), and every request body."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from factories import zip_bytes

from teams.follow import documents
from teams.models import Deliverable

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _docx_bomb(unpacked):
    """A small .docx whose document.xml unpacks to `unpacked` bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b" " * (1024 * 1024)
            for _ in range(unpacked // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def _post(client, team, name, data):
    report = team.milestones.get(key_date__kind="report")
    return client.post(
        reverse("teams:upload", args=[team.pk, report.pk]),
        {"file": SimpleUploadedFile(name, data)},
    )


def test_a_docx_that_unpacks_to_hundreds_of_megabytes_is_refused(client, teams):
    data = _docx_bomb(documents.MAX_UNPACKED + 10 * 1024 * 1024)
    assert len(data) < 1024 * 1024
    team = teams[0]
    client.force_login(team.members.all()[0].user)
    response = _post(client, team, "rapport.docx", data)
    assert response.status_code == 400
    assert "Once unpacked, this document is too large (over 200 MB)" in response.content.decode()
    assert not Deliverable.objects.exists()


def test_a_docx_of_thousands_of_parts_is_refused(client, teams):
    members = [("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w:document/>")]
    members += [(f"word/media/{i}.xml", "") for i in range(documents.MAX_ZIP_MEMBERS)]
    team = teams[0]
    client.force_login(team.members.all()[0].user)
    response = _post(client, team, "rapport.docx", zip_bytes(members))
    assert response.status_code == 400
    assert "This document holds too many parts" in response.content.decode()
    assert not Deliverable.objects.exists()


def test_an_upload_over_the_view_limit_is_refused_unread(client, teams, settings, monkeypatch):
    settings.DELIVERABLE_MAX_BYTES = 1024
    read = []
    monkeypatch.setattr(documents, "check", lambda *args: read.append(args))
    team = teams[0]
    client.force_login(team.members.all()[0].user)
    response = _post(client, team, "rapport.pdf", b"%PDF-" + b"0" * 200_000)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("teams:team", args=[team.pk]))
    assert read == [] and not Deliverable.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "The file is too large: the limit is 1.0\xa0KB. Nothing was received." in page


def test_a_roster_over_the_limit_is_refused_unread(client, call, coordinator, monkeypatch):
    from teams.people import roster

    monkeypatch.setattr(roster, "MAX_BYTES", 1000)
    client.force_login(coordinator)
    url = reverse("teams:roster_upload", args=[call.slug, "students"])
    response = client.post(url, {"file": SimpleUploadedFile("r.xlsx", b"0" * 200_000)})
    assert response.status_code == 302 and response["Location"] == url
    assert "The file is too large" in client.get(url).content.decode()


def test_any_request_body_over_the_cap_is_a_413(client, settings):
    settings.MAX_REQUEST_BYTES = 10_000
    response = client.post("/", {"x": "y" * 20_000})
    assert response.status_code == 413
    assert "The file is too large" in response.content.decode()


def test_the_settings_bound_bodies(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024
    assert settings.DELIVERABLE_MAX_BYTES < settings.MAX_REQUEST_BYTES


def test_the_limit_applies_before_the_csrf_check_reads_the_body(call, coordinator, monkeypatch):
    """In production the CSRF check reads the form: the limit must refuse before it."""
    from django.http.multipartparser import MultiPartParser
    from django.test import Client

    from teams.people import roster

    def never(*args, **kwargs):
        raise AssertionError("the oversized body was parsed")

    monkeypatch.setattr(roster, "MAX_BYTES", 1000)
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    url = reverse("teams:roster_upload", args=[call.slug, "students"])
    token = str(client.get(url).context["csrf_token"])
    monkeypatch.setattr(MultiPartParser, "parse", never)
    big = SimpleUploadedFile("r.xlsx", b"0" * 200_000)
    response = client.post(url, {"csrfmiddlewaretoken": token, "file": big})
    assert response.status_code == 302 and response["Location"] == url
