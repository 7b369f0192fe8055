"""Private calendar feeds: valid iCalendar with exactly the owner's milestones; revocable."""

import pytest
from django.urls import reverse
from icalendar import Calendar

from commissions.models import AccessToken
from teams.follow import calendar

pytestmark = pytest.mark.django_db


def events(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    parsed = Calendar.from_ical(response.content)
    assert parsed["VERSION"] == "2.0" and parsed["PRODID"]
    return [c for c in parsed.walk("VEVENT")]


def uids(items):
    return {str(e["UID"]).split("@")[0] for e in items}


def test_a_student_feed_holds_exactly_their_team_milestones(client, teams):
    team = teams[0]
    student = team.members.all()[0]
    url = calendar.feed_url(calendar.feed_for(user=student.user))
    found = events(client, url)
    assert uids(found) == {f"milestone-{pk}" for pk in team.milestones.values_list("pk", flat=True)}
    for event in found:
        assert event["DTSTAMP"] and event["SUMMARY"] and event.get("DTSTART")
    report = next(e for e in found if "rapport" in str(e["SUMMARY"]))
    # All day: a DATE, and DTEND the next day (exclusive).
    start, end = report.decoded("DTSTART"), report.decoded("DTEND")
    assert not hasattr(start, "hour") and (end - start).days == 1
    feedback = next(e for e in found if "feed-back" in str(e["SUMMARY"]))
    assert team.commission.institution.city in str(feedback["LOCATION"])


def test_a_supervisor_feed_covers_all_their_teams(client, teams):
    supervisor = teams[0].supervisor
    mine = [t for t in teams if t.supervisor_id == supervisor.pk]
    url = calendar.feed_url(calendar.feed_for(user=supervisor.user))
    expected = {f"milestone-{m.pk}" for t in mine for m in t.milestones.all()}
    assert uids(events(client, url)) == expected


def test_the_institution_feed_and_its_address_on_the_portal(client, teams):
    team = teams[0]
    token = AccessToken.issue(team.commission)
    page = client.get(reverse("commissions:portal", args=[token])).content.decode()
    feed = calendar.feed_for(commission=team.commission)
    assert feed.token in page
    found = events(client, calendar.feed_url(feed))
    assert uids(found) == {f"milestone-{m.pk}" for m in team.milestones.all()}


def test_a_new_address_revokes_the_old_one(client, teams):
    student = teams[0].members.all()[0]
    old = calendar.feed_for(user=student.user)
    client.force_login(student.user)
    # Without ticking the confirmation nothing changes, and the page says why.
    response = client.post(reverse("teams:calendar_renew"), follow=True)
    said = [str(m) for m in response.context["messages"]]
    assert said == [str(calendar.NOT_CONFIRMED)]
    assert client.get(calendar.feed_url(old)).status_code == 200
    response = client.post(
        reverse("teams:calendar_renew"), {"next": "https://evil.example/", "confirm": "1"}
    )
    assert response.status_code == 302 and "evil" not in response["Location"]
    assert client.get(calendar.feed_url(old)).status_code == 404
    new = calendar.feed_for(user=student.user)
    assert new.token != old.token and client.get(calendar.feed_url(new)).status_code == 200


@pytest.mark.parametrize("token", ["nope", "x" * 300, "%00", "'; drop table"])
def test_unknown_tokens_are_404(client, token):
    from django.urls import NoReverseMatch

    try:
        url = reverse("teams:calendar", args=[token])
    except NoReverseMatch:
        return
    assert client.get(url).status_code == 404


def test_the_feed_description_is_french_for_a_french_reader(client, teams):
    """ "To hand in" never reached the catalogue (an f-string): French feeds showed English."""
    team = teams[0]
    found = events(client, calendar.feed_url(calendar.feed_for(commission=team.commission)))
    report = next(e for e in found if "rapport" in str(e["SUMMARY"]))
    description = str(report["DESCRIPTION"])
    assert "À remettre\u00a0: " in description and "Qui agit\u00a0: " in description
    assert "To hand in" not in description


def test_what_is_not_sent_yet_agrees_in_french(client, teams):
    """ "Présentation finale : pas encore envoyée", "Rapport de mission : pas encore envoyé"."""
    from django.utils import translation

    from teams.models import Milestone

    team = teams[0]
    page = client.get(
        reverse("commissions:portal", args=[AccessToken.issue(team.commission)])
    ).content.decode()
    assert "Rapport de mission\u00a0: pas encore envoyé." in page
    with translation.override("fr"):
        final = Milestone(deliverable=Milestone.Deliverable.PRESENTATION).not_sent_text()
        assert str(final) == "Présentation finale\u00a0: pas encore envoyée."


def test_the_portal_offers_a_webcal_subscription_and_the_address_to_copy(client, teams):
    team = teams[0]
    page = client.get(
        reverse("commissions:portal", args=[AccessToken.issue(team.commission)])
    ).content.decode()
    url = calendar.feed_url(calendar.feed_for(commission=team.commission))
    assert f'href="{calendar.webcal_url(url)}"' in page and url.startswith("http")
    assert calendar.webcal_url(url).startswith("webcal://")
    assert 'data-copy="calendar-address"' in page and f'value="{url}"' in page
    assert calendar.webcal_url("https://x.example/c/t.ics") == "webcal://x.example/c/t.ics"


def test_feed_stamps_the_last_change_keeps_uids_across_hosts_and_answers_304(
    client, teams, settings
):
    from django.utils import timezone

    team = teams[0]
    url = calendar.feed_url(calendar.feed_for(commission=team.commission)).split("8000")[-1]
    first = client.get(url)
    again = client.get(url)
    assert first.content == again.content  # no fetch time inside
    stamps = {
        str(e["UID"]): e.decoded("DTSTAMP")
        for e in Calendar.from_ical(first.content).walk("VEVENT")
    }
    latest = max(m.updated_at for m in team.milestones.all())
    assert max(stamps.values()) == latest.replace(microsecond=0)
    assert all(uid.endswith("@mias-commissions") for uid in stamps)
    # Another host: the same UIDs, so subscribed calendars do not duplicate the events.
    settings.SITE_URL = "https://commandes.example.org"
    moved = client.get(url)
    assert {str(e["UID"]) for e in Calendar.from_ical(moved.content).walk("VEVENT")} == set(stamps)
    # Conditional requests: 304 until something changes.
    etag, modified = first["ETag"], first["Last-Modified"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    assert client.get(url, headers={"if-modified-since": modified}).status_code == 304
    from datetime import timedelta

    later = timezone.now() + timedelta(seconds=5)  # a change in a later second
    team.milestones.filter(pk=team.milestones.first().pk).update(updated_at=later)
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
