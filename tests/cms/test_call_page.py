from datetime import timedelta

import pytest
from django.utils import timezone
from factories import make_call

from cms.models import CallPage
from commissions.models import KeyDate, PastConsultancy

pytestmark = pytest.mark.django_db


def add_call_page(home, call):
    return home.add_child(
        instance=CallPage(
            title=call.title,
            slug=call.slug,
            call=call,
            intro="<p>Intro du coordinateur</p>",
        )
    )


def test_call_page_shows_the_call(client, home, call, vocab):
    PastConsultancy.objects.create(
        programme=call.programme,
        sector=vocab["sectors"][1],
        summary="Comment aborder l'absentéisme ?",
    )
    page = add_call_page(home, call)
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Intro du coordinateur" in html
    assert call.get_submit_url() in html
    assert "Présenter sa commande" in html  # a commitment
    assert "Présentation orale (jeudi)" in html  # a key date
    assert "Problématique d&#x27;ingénierie sociale" in html  # a criterion
    assert "Comment aborder l&#x27;absentéisme ?" in html  # a past consultancy
    assert response.context["is_open"] is True
    assert "10" in html


def test_call_page_says_closed_after_the_deadline(client, home, programme, vocab):
    closed = make_call(programme, slug="closed", opens_delta=-60, deadline_delta=-1)
    page = add_call_page(home, closed)
    response = client.get(page.url)
    assert response.context["is_open"] is False
    assert closed.get_submit_url() not in response.content.decode()


def test_home_lists_open_calls(client, home, call, programme, vocab):
    add_call_page(home, call)
    closed = make_call(programme, slug="old", opens_delta=-400, deadline_delta=-300)
    add_call_page(home, closed)
    response = client.get("/")
    assert [p.call for p in response.context["open_calls"]] == [call]
    assert [p.call for p in response.context["other_calls"]] == [closed]


@pytest.mark.parametrize("extra", [0, 40])
def test_call_page_query_count_does_not_grow(
    client, home, call, vocab, extra, django_assert_max_num_queries
):
    for i in range(extra):
        PastConsultancy.objects.create(
            programme=call.programme, sector=vocab["sectors"][i % 4], summary=f"Exemple {i}"
        )
        KeyDate.objects.create(
            call=call,
            kind="other",
            label=f"Étape {i}",
            actor="students",
            starts_at=timezone.now() + timedelta(days=i),
        )
    page = add_call_page(home, call)
    # + the locale of the page translation; + 8 for the cache (one read, the page's view
    # restrictions, one write in a savepoint); once stored, one query (test_page_cache.py).
    with django_assert_max_num_queries(21):
        assert client.get(page.url).status_code == 200


def test_on_a_phone_the_deadline_and_the_button_come_first_and_stay_at_the_end(
    client, home, call, vocab
):
    """The aside follows 4,000 px of text on a phone: a copy of both opens the page."""
    page = add_call_page(home, call)
    html = client.get(page.url).content.decode()
    top = html.index('id="call-top-action"')
    assert top < html.index("Intro du coordinateur")
    assert html.count(call.get_submit_url()) == 2  # the top box and the aside
    assert 'd-lg-none" id="call-top-action"' in html


def test_signed_in_people_see_no_institution_link_and_sign_in_with_an_e_mail(
    client, django_user_model
):
    from django.urls import reverse

    login = client.get(reverse("login")).content.decode()
    assert reverse("commissions:request_link") in login  # for institutions, not signed in
    assert ">E-mail" in login or "E-mail<" in login
    user = django_user_model.objects.create_user("s", "s@x.example", "pw-s-123456")
    client.force_login(user)
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("commissions:request_link")}"' not in page
