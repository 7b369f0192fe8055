"""Bad input on the public side (issue 6): the submission form, the institution's private
link (read, edit, withdraw), "send my link again", and malformed or foreign tokens.

Properties, for every example: never a 500; a refused form comes back with a message and
whatever was typed, HTML-escaped; e-mails carry the typed text as plain text.

Each example runs in a savepoint that is rolled back, so every example starts from the same
database, built once per test function. Every fuzz test runs 200 examples in CI (derandomized:
hypothesis's "ci" profile), 25 locally; FUZZ_EXAMPLES=1000 explores further on a quiet evening.

The profile, strategies and checks shared by every fuzz module are in fuzzing.py.
"""

import hashlib
import re
from urllib.parse import quote

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape
from factories import make_commission, run_queued, valid_submission
from fuzzing import (
    FUZZ,
    SUBJECTS_ESCAPED_BUG,
    TRANSPORTS,
    assert_kept_escaped,
    assert_no_raw_markup,
    assert_plain_text_email,
    exact,
    page_text,
    plain,
    post,
    rolled_back,
    texts,
    values,
)
from hypothesis import event, given
from hypothesis import strategies as st

from commissions.models import AccessToken, Commission, Institution

pytestmark = pytest.mark.django_db

# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def open_call(call, vocab, settings, coordinator):
    settings.RATE_LIMIT_SUBMISSIONS = 10**6
    settings.RATE_LIMIT_LINK_REQUESTS = 10**6
    Institution.objects.create(
        name="CPAS de Namur",
        legal_form="cpas",
        sector=vocab["sectors"][0],
        address="Rue de Dave 165",
        city="Namur",
    )
    return call


KNOWN_EMAIL = "contact@inst.example"
MARKUP_INSTITUTION = "Maison <b>bold</b> & Cie"


@pytest.fixture
def linked(open_call, vocab):
    """A commission of the open call and a private link to it."""
    commission = make_commission(
        open_call,
        vocab,
        institution_name=MARKUP_INSTITUTION,
        email=KNOWN_EMAIL,
        preferred_presentation=open_call.key_dates.filter(kind="oral").first(),
        accepted_commitments=[c.kind for c in open_call.commitments()],
    )
    return commission, AccessToken.issue(commission)


SUBMISSION_TEXT = [
    "institution_name",
    "address",
    "postal_code",
    "city",
    "website",
    "contact_name",
    "contact_role",
    "contact_email",
    "contact_phone",
    "title",
    "question",
    "context",
    "expected_outcome",
    "resources",
]
SUBMISSION_CHOICES = [
    "legal_form",
    "sector",
    "commission_type",
    "intervention_context",
    "preferred_presentation",
    "institution_match",
    "languages",
    "consent",
    "commitment_presentation",
    "commitment_clarification",
    "commitment_oral",
    "nickname",
    "csrfmiddlewaretoken",
    "unexpected_field",
]


def overrides(fields, text_fields):
    """Replace some fields (text mostly in the text fields) and drop others."""
    return st.tuples(
        st.dictionaries(st.sampled_from(text_fields), texts(), max_size=4),
        st.dictionaries(st.sampled_from(fields), values(), max_size=3),
        st.sets(st.sampled_from(fields), max_size=2),
    )


def link_in(message):
    found = re.search(r"/commande/([^/\s]+)/", message.body)
    assert found, "no private link in the e-mail"
    return found.group(1)


# --------------------------------------------------------------------------- submission


@FUZZ
@given(
    changes=overrides(SUBMISSION_TEXT + SUBMISSION_CHOICES, SUBMISSION_TEXT),
    transport=st.sampled_from(TRANSPORTS),
)
def test_submission_form(
    client, open_call, vocab, broker, django_capture_on_commit_callbacks, changes, transport
):
    texts_, others, dropped = changes
    data = valid_submission(open_call, vocab)
    data.update(texts_)
    data.update(others)
    for name in dropped:
        data.pop(name, None)
    url = reverse("commissions:submit", args=[open_call.slug])
    with rolled_back():
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client, url, data, transport)
        event(f"status {response.status_code}")
        assert_no_raw_markup(response)
        if response.status_code == 200:
            # Refused: the form again, with a message, and what was typed.
            assert response.context["form"].errors
            assert 'id="error-summary"' in page_text(response)
            if exact(transport):
                assert_kept_escaped(response, data, SUBMISSION_TEXT)
            assert not Commission.objects.exists()
            return
        if response.status_code != 302:
            assert response.status_code == 400  # a body over the size limit
            assert not Commission.objects.exists()
            return
        commission = Commission.objects.select_related("institution").get()
        run_queued(broker)
        by_kind = {m.to[0]: m for m in mail.outbox}
        assert set(by_kind) == {commission.contact_email, "coord@mias.example"}
        institution = commission.institution
        confirmation = by_kind[commission.contact_email]
        shown = [commission.contact_name, institution.name, institution.city, commission.title]
        assert_plain_text_email(confirmation, shown + [commission.question])
        for value in shown:
            assert value in confirmation.body
        notice = by_kind["coord@mias.example"]
        assert_plain_text_email(notice, [institution.name, institution.city, commission.title])
        if not SUBJECTS_ESCAPED_BUG:
            assert plain(institution.name) in notice.subject
        # The private link from the e-mail opens the commission, its texts escaped.
        page = client.get(f"/commande/{link_in(confirmation)}/")
        assert page.status_code == 200
        assert_no_raw_markup(page)
        assert escape(commission.title) in page_text(page)


# --------------------------------------------------------------------------- the private link

EDIT_TEXT = [
    "contact_name",
    "contact_role",
    "contact_email",
    "contact_phone",
    "title",
    "question",
    "context",
    "expected_outcome",
    "resources",
]
EDIT_CHOICES = [
    "commission_type",
    "intervention_context",
    "languages",
    "preferred_presentation",
    "status",
    "call",
    "institution",
]


@FUZZ
@given(
    changes=overrides(EDIT_TEXT + EDIT_CHOICES, EDIT_TEXT), transport=st.sampled_from(TRANSPORTS)
)
def test_edit_form(client, open_call, vocab, linked, changes, transport):
    commission, token = linked
    texts_, others, dropped = changes
    data = {
        k: v for k, v in valid_submission(open_call, vocab).items() if k in EDIT_TEXT + EDIT_CHOICES
    }
    data.update(texts_)
    data.update(others)
    for name in dropped:
        data.pop(name, None)
    url = reverse("commissions:edit", args=[token])
    with rolled_back():
        response = post(client, url, data, transport)
        assert_no_raw_markup(response)
        commission.refresh_from_db()
        # Whatever was posted, the commission stays in its call, institution and status.
        assert commission.call_id == open_call.pk
        assert commission.status == Commission.Status.SUBMITTED
        if response.status_code == 200:
            assert response.context["form"].errors
            if exact(transport):
                assert_kept_escaped(response, data, EDIT_TEXT)
        elif response.status_code == 302:
            page = client.get(reverse("commissions:portal", args=[token]))
            assert_no_raw_markup(page)
            assert escape(commission.title) in page_text(page)
        else:
            assert response.status_code == 400


@FUZZ
@given(
    data=st.dictionaries(st.sampled_from(["confirm", "status", "reason"]), values(), max_size=3),
    transport=st.sampled_from(TRANSPORTS),
)
def test_withdraw_form(client, linked, data, transport):
    commission, token = linked
    url = reverse("commissions:withdraw", args=[token])
    with rolled_back():
        response = post(client, url, data, transport)
        assert_no_raw_markup(response)
        commission.refresh_from_db()
        if response.status_code == 200:
            assert response.context["form"].errors
            assert commission.status == Commission.Status.SUBMITTED
        else:
            assert response.status_code in (302, 400)
            assert commission.status in (Commission.Status.SUBMITTED, Commission.Status.WITHDRAWN)


@FUZZ
@given(
    email=st.one_of(
        texts(),
        st.emails().map(str),
        st.sampled_from(
            [
                KNOWN_EMAIL,
                KNOWN_EMAIL.upper(),
                f" {KNOWN_EMAIL} ",
                f"{KNOWN_EMAIL}\x00",
                f"{KNOWN_EMAIL}\n",
                f"{KNOWN_EMAIL},other@x.example",
                "\"<script>alert('xss')</script>\"@example.org",
                '"<b>bold</b>"@example.org',
                "a@" + "b" * 300 + ".example",
                "a" * 65 + "@x.example",
            ]
        ),
    ),
    extra=st.dictionaries(st.sampled_from(["email", "reference"]), values(), max_size=1),
    transport=st.sampled_from(TRANSPORTS),
)
def test_send_my_link_again(
    client, linked, broker, django_capture_on_commit_callbacks, email, extra, transport
):
    commission, _token = linked
    data = {"email": email, **extra}
    url = reverse("commissions:request_link")
    with rolled_back():
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client, url, data, transport)
        assert_no_raw_markup(response)
        if response.status_code == 400:
            return
        assert response.status_code == 200
        form = response.context.get("form")
        if form is not None and form.errors:
            if exact(transport):
                assert_kept_escaped(response, data, ["email"])
            return
        run_queued(broker)
        for message in mail.outbox:
            assert message.to == [KNOWN_EMAIL]
            assert_plain_text_email(message, [commission.contact_name, commission.title])
            assert commission.contact_name in message.body
            assert client.get(f"/commande/{link_in(message)}/").status_code == 200


# --------------------------------------------------------------------------- tokens


@pytest.fixture
def tokens(open_call, vocab):
    """A live token, a revoked one, and what the database stores of them."""
    from commissions.intake import services

    commission = make_commission(open_call, vocab, institution_name=MARKUP_INSTITUTION)
    revoked = AccessToken.issue(commission)
    services.revoke_links(commission)
    live = AccessToken.issue(commission)
    return {
        "live": live,
        "revoked": revoked,
        "hash": hashlib.sha256(live.encode()).hexdigest(),
        "upper": live.upper() if live.upper() != live else live.lower(),
    }


def mutated(token):
    return st.one_of(
        st.just(token[:-1]),
        st.just(token[1:]),
        st.just(token + "="),
        st.just(token + "\x00"),
        st.just(token * 3),
        st.integers(min_value=0, max_value=len(token) - 1).map(lambda i: token[:i]),
        st.integers(min_value=0, max_value=len(token) - 1).map(
            lambda i: token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
        ),
    )


FOREIGN_TOKENS = [
    "",
    ".",
    "..",
    "%00",
    "%2e%2e",
    "../../django-admin",
    "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.",
    "00000000-0000-0000-0000-000000000000",
    "c2VjcmV0",
    "x" * 43,
    "x" * 101,
    "x" * 100,
    "x" * 10_000,
    "' OR '1'='1",
    "<script>alert('xss')</script>",
    "\x00" * 5,
    "\ud7ff\ue000",
]


@FUZZ
@given(
    choice=st.one_of(
        st.sampled_from(["revoked", "hash", "upper"]),
        st.sampled_from(FOREIGN_TOKENS).map(lambda t: ("raw", t)),
        st.text(max_size=300).map(lambda t: ("raw", t)),
        st.just("mutated"),
    ),
    data=st.data(),
    page=st.sampled_from(["portal", "edit", "withdraw"]),
    method=st.sampled_from(["get", "post", "head", "put"]),
    encode=st.booleans(),
)
def test_malformed_and_foreign_tokens_are_404(client, tokens, choice, data, page, method, encode):
    if choice == "mutated":
        token = data.draw(mutated(tokens["live"]), label="mutated")
    elif isinstance(choice, tuple):
        token = choice[1]
    else:
        token = tokens[choice]
    if token == tokens["live"]:
        return
    quoted = quote(token, safe="" if encode else "/:@!$&'()*+,;=~")
    path = {"portal": "/commande/{}/", "edit": "/commande/{}/modifier/"}.get(
        page, "/commande/{}/retirer/"
    )
    allowed = page == "portal" or method in ("get", "post")
    with rolled_back():
        if method == "post":
            response = client.post(path.format(quoted), {"confirm": "on"})
        else:
            response = getattr(client, method)(path.format(quoted))
        # Unknown, revoked or malformed: the link opens nothing, and says so.
        assert response.status_code in ((404,) if allowed else (404, 405)), token
        assert_no_raw_markup(response)
        assert not Commission.objects.filter(status=Commission.Status.WITHDRAWN).exists()


# --------------------------------------------------------------------------- known bugs


def test_email_subjects_are_plain_text(
    client, open_call, vocab, broker, django_capture_on_commit_callbacks
):
    data = valid_submission(open_call, vocab, institution_name="A & B <C>")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("commissions:submit", args=[open_call.slug]), data)
    assert response.status_code == 302
    run_queued(broker)
    (notice,) = [m for m in mail.outbox if m.to == ["coord@mias.example"]]
    assert notice.subject.endswith("A & B <C>"), notice.subject


@pytest.mark.parametrize("page", ["edit", "withdraw", "request_link"])
def test_an_empty_post_gets_a_message(client, linked, page):
    _commission, token = linked
    args = [] if page == "request_link" else [token]
    response = client.post(reverse(f"commissions:{page}", args=args), {})
    assert response.status_code == 200
    assert response.context["form"].errors
