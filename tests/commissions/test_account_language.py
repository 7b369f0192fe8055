"""The reader's language: an account's own language for its pages, e-mails and calendar, and
an institution contact's language for its e-mails and private page, whatever page asks."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation
from factories import make_cohort, run_queued, valid_submission
from icalendar import Calendar

from commissions.accounts import language_of
from commissions.intake import services
from commissions.models import AccessToken, Commission, Email, Profile
from teams.follow import calendar

pytestmark = pytest.mark.django_db
COOKIE = settings.LANGUAGE_COOKIE_NAME


@pytest.fixture
def person(django_user_model):
    return django_user_model.objects.create_user(
        "lena", "lena@uni.example", "ein-gutes-passwort-42", first_name="Lena"
    )


def sign_in(client, accept):
    return client.post(
        reverse("login"),
        {"username": "lena@uni.example", "password": "ein-gutes-passwort-42"},
        HTTP_ACCEPT_LANGUAGE=accept,
    )


def test_first_sign_in_keeps_the_browser_language_and_later_ones_follow_the_account(client, person):
    answer = sign_in(client, "de-DE,de;q=0.9,en;q=0.5")
    assert answer.status_code == 302
    assert Profile.objects.get(user=person).language == "de"
    assert answer.cookies[COOKIE].value == "de"
    client.logout()
    client.cookies.clear()
    answer = sign_in(client, "en")  # another browser: the account's choice stands
    assert Profile.objects.get(user=person).language == "de"
    assert answer.cookies[COOKIE].value == "de"
    assert "Mein Konto" in client.get(reverse("commissions:account")).content.decode()


def test_the_account_page_changes_the_language(client, person, django_assert_max_num_queries):
    client.force_login(person)
    with django_assert_max_num_queries(6):
        page = client.get(reverse("commissions:account"), HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200 and "Mon compte" in page.content.decode()
    answer = client.post(reverse("commissions:account"), {"language": "en"})
    assert answer.status_code == 302 and answer.cookies[COOKIE].value == "en"
    assert language_of(person) == "en"
    follow = client.get(answer.url).content.decode()
    assert "Your language is saved." in follow


@pytest.mark.parametrize("value", ["xx", "", "de'--", "\x00"])
def test_a_bad_language_gets_a_message_not_a_500(client, person, value):
    client.force_login(person)
    client.cookies[COOKIE] = "en"
    page = client.post(reverse("commissions:account"), {"language": value})
    assert page.status_code == 200
    assert "Choose one of the languages offered." in page.content.decode() or (
        "This field is required." in page.content.decode()
    )
    # Compared in Python: PostgreSQL refuses a NUL even in a query's parameter.
    assert value not in Profile.objects.filter(user=person).values_list("language", flat=True)


def test_account_pages_need_a_sign_in(client):
    answer = client.get(reverse("commissions:account"))
    assert answer.status_code == 302 and reverse("login") in answer.url


def test_emails_follow_the_account_not_the_request(
    client, call, vocab, coordinator, broker, django_capture_on_commit_callbacks
):
    _selected, students, _supervisors = make_cohort(call, vocab, students=3)
    for student in students:
        student.ranked_at = None
        student.save(update_fields=["ranked_at"])
    Profile.objects.create(user=students[0].user, language="de")
    Profile.objects.create(user=students[1].user, language="en")
    client.force_login(coordinator)
    client.cookies[COOKIE] = "fr"  # the coordinator reads French
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("teams:remind", args=[call.slug]))
    by_address = {e.to: e.language for e in Email.objects.filter(kind="ranking_reminder")}
    assert by_address == {
        students[0].email: "de",
        students[1].email: "en",
        students[2].email: "fr",  # no choice yet: the record's default
    }
    run_queued(broker)
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[students[0].email] == "Erinnerung: Ordnen Sie die Aufträge"
    assert subjects[students[1].email] == "Reminder: rank the commissions"


def test_calendar_feeds_follow_the_account_not_the_request(client, teams):
    student = teams[0].members.all()[0]
    Profile.objects.create(user=student.user, language="de")
    url = calendar.feed_url(calendar.feed_for(user=student.user))
    answer = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    events = Calendar.from_ical(answer.content).walk("VEVENT")
    assert events and all("Wer handelt:" in str(e["DESCRIPTION"]) for e in events)


def test_the_institution_feed_speaks_the_contact_language(client, teams):
    commission = teams[0].commission
    Commission.objects.filter(pk=commission.pk).update(submitter_language="en")
    url = calendar.feed_url(calendar.feed_for(commission=commission))
    events = Calendar.from_ical(client.get(url, HTTP_ACCEPT_LANGUAGE="de").content)
    assert all("Who acts:" in str(e["DESCRIPTION"]) for e in events.walk("VEVENT"))


def test_the_contact_language_chosen_on_the_form_rules_later_emails_and_the_portal(
    client, call, vocab, broker, django_capture_on_commit_callbacks
):
    client.cookies[COOKIE] = "fr"  # the form is read in French…
    data = valid_submission(call, vocab, submitter_language="de")  # …the contact wants German
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("commissions:submit", args=[call.slug]), data)
    assert answer.status_code == 302
    commission = Commission.objects.get()
    assert commission.submitter_language == "de"
    assert Email.objects.get(kind="confirmation").language == "de"
    # A new link asked from an English page still comes in German.
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.send_links(commission.contact_email, "en")
    assert Email.objects.get(kind="link").language == "de"
    run_queued(broker)
    assert any(m.subject.startswith("Ihr privater Link") for m in mail.outbox)
    # The private page opens in German; the language menu still wins.
    token = AccessToken.issue(commission)
    client.cookies.clear()
    page = client.get(reverse("commissions:portal", args=[token]), HTTP_ACCEPT_LANGUAGE="fr")
    assert 'lang="de"' in page.content.decode()
    client.cookies[COOKIE] = "en"
    page = client.get(reverse("commissions:portal", args=[token]))
    assert 'lang="en"' in page.content.decode()


def test_the_form_offers_the_page_language_first(client, call):
    client.cookies[COOKIE] = "en"
    form = client.get(reverse("commissions:submit", args=[call.slug])).context["form"]
    assert form["submitter_language"].value() == "en"


def test_a_bad_contact_language_is_refused_with_a_message(client, call, vocab):
    client.cookies[COOKIE] = "en"
    data = valid_submission(call, vocab, submitter_language="klingon")
    page = client.post(reverse("commissions:submit", args=[call.slug]), data)
    assert page.status_code == 200
    assert "Choose one of the languages offered." in page.content.decode()
    assert not Commission.objects.exists()


def test_the_set_password_email_follows_the_account(
    client, person, broker, django_capture_on_commit_callbacks
):
    Profile.objects.create(user=person, language="de")
    client.cookies[COOKIE] = "en"
    answer = client.post(reverse("password_reset"), {"email": "lena@uni.example"})
    assert answer.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        run_queued(broker)  # looks the account up, queues the outbox e-mail
    run_queued(broker)  # delivers it
    (message,) = mail.outbox
    assert message.subject == "Ein neues Passwort wählen"
