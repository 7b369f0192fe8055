"""German follows from the catalogue: error pages, workbooks, e-mails and calendars."""

import io

import pytest
from django.utils import translation
from factories import make_commission
from icalendar import Calendar
from openpyxl import load_workbook

from commissions.outbox.mail import preview
from commissions.selection.exports import call_workbook
from teams.follow import calendar

pytestmark = pytest.mark.django_db


def test_the_language_menu_offers_german(client):
    page = client.get("/commande/lien/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert 'lang="de"' in page
    assert "Deutsch" in page and "Zum Inhalt springen" in page


def test_error_page_in_german(client):
    response = client.get("/nirgendwo/", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()


def test_call_workbook_headers_in_german(call, vocab):
    make_commission(call, vocab)
    with translation.override("de"):
        sheet = load_workbook(io.BytesIO(call_workbook(call))).active
    headers = [cell.value for cell in sheet[1]]
    assert sheet.title == "Einreichungen"
    assert {"Referenz", "Eingereicht am", "Einrichtung", "Beratungsfrage"} <= set(headers)


def test_decision_email_in_german(call, vocab):
    commission = make_commission(call, vocab, title="Fehlzeiten")
    subject, body = preview("decision_selected", commission, "de")
    assert subject == "Ihr Auftrag „Fehlzeiten“ ist ausgewählt"
    assert body.startswith("Guten Tag Anne,")


def test_calendar_in_german(teams):
    team = teams[0]
    feed = calendar.feed_for(user=team.members.all()[0].user)
    with translation.override("de"):
        text = calendar.build("Team", calendar.milestones_of(feed)).decode()
    events = Calendar.from_ical(text).walk("VEVENT")
    assert events and all("Wer handelt:" in str(e["DESCRIPTION"]) for e in events)
