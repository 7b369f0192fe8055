"""Bad input on the public side (issue 6): the submission form, the institution's private
link (read, edit, withdraw), "send my link again", and malformed or foreign tokens.

Properties, for every example: never a 500; a refused form comes back with a message and
whatever was typed, HTML-escaped; e-mails carry the typed text as plain text.

Each example runs in a savepoint that is rolled back, so every example starts from the same
database, built once per test function. Every fuzz test runs 200 examples (CI derandomizes
them: hypothesis's "ci" profile); FUZZ_EXAMPLES=1000 explores further on a quiet evening.

The first part of this module (profile, strategies, checks) is shared: the other fuzz
modules import it (`from test_fuzz_public import ...`), as tests import `conftest`.
"""

import hashlib
import os
import re
from contextlib import contextmanager
from urllib.parse import quote, urlencode

import pytest
from conftest import make_commission, run_queued, valid_submission
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, Phase, assume, event, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from commissions.models import AccessToken, Commission, Institution

pytestmark = pytest.mark.django_db

# --------------------------------------------------------------------------- the profile

hsettings.register_profile(
    "mias-fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "200")),
    # No "explain" phase: on a failure it replays the example dozens of times, for little.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    deadline=None,
    database=None,  # nothing written to the working tree; CI's profile is derandomized
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
FUZZ = hsettings.get_profile("mias-fuzz")
# The export tests are no form: each example stores a dozen fuzzed texts and reads a whole
# workbook back, so half as many examples cover as much.
FUZZ_EXPORT = hsettings(FUZZ, max_examples=max(1, FUZZ.max_examples // 2))

# --------------------------------------------------------------------------- strategies

# Markup that must never come back raw in a page.
RAW_MARKERS = ("<script>alert(", "<img src=x onerror", "<svg onload", "<b>bold</b>")
PAYLOADS = [
    "<script>alert('xss')</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "A & B <b>bold</b> \"quoted\" 'single'",
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example","click")',
    "+32 81 00 00 00",
    "-1+1",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r\n=1+1",
    "{{ request }}{% debug %}",
    "%(name)s %s {0} %%",
    "Robert'); DROP TABLE commissions_commission;--",
    "a\x00b",
    "\x00",
    "\x01\x02\x03\x07\x08\x0b\x0c\x0e\x1b\x1f\x7f\x85",
    "\u200b\u200e\u202e\ufeff\u2028\u2029",
    "😀🏳️‍🌈 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ﷽",
    "\ufffd\ufffe\uffff",
    " ",
    "",
    "é" * 201,
    "x" * 5000,
    "€" * 100_000,
    "y" * 3_000_000,  # over DATA_UPLOAD_MAX_MEMORY_SIZE: a 400, not a 500
]
ID_LIKE = [
    "",
    " ",
    "0",
    "-1",
    "1.0",
    "1e3",
    "²",
    "١",
    "0x10",
    "None",
    "null",
    "[]",
    "1,2",
    "9" * 40,
    " 1 ",
    "1\x00",
    "new",
    "on",
    "true",
]


# What fits in a URL: gunicorn refuses request lines over 4 KB.
URL_PAYLOADS = [p for p in PAYLOADS if len(p) < 4000]


def texts(max_size=300, payloads=PAYLOADS):
    return st.one_of(
        st.text(max_size=max_size),
        st.text(
            st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), max_size=40
        ),
        st.sampled_from(payloads),
        st.builds(lambda p, t: p + t, st.sampled_from(PAYLOADS[:20]), st.text(max_size=20)),
    )


def ids():
    return st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(ID_LIKE),
        texts(40, payloads=URL_PAYLOADS),
    )


def values(payloads=PAYLOADS):
    """One posted value: text, an id-like string, or several values under the same name."""
    return st.one_of(
        texts(payloads=payloads),
        ids(),
        st.lists(st.one_of(texts(60, payloads=URL_PAYLOADS), ids()), max_size=3),
    )


TRANSPORTS = [
    "multipart",
    "multipart",
    "multipart",
    "multipart",
    "urlencoded",
    "urlencoded",
    "latin-1",
    "cp1252-declared",
    "utf-16",
    "bogus-charset",
    "multipart-latin-1",
]
FORM = "application/x-www-form-urlencoded"


def _pairs(data):
    for name, value in data.items():
        for one in value if isinstance(value, list) else [value]:
            yield name, one


def _multipart(data, encoding):
    boundary = "fuzzBoUnDaRy"
    body = b""
    for name, value in _pairs(data):
        body += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + str(value).encode(encoding, "replace")
            + b"\r\n"
        )
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def post(client, url, data, transport="multipart"):
    """POST the data the way a browser, a broken client or a bot might.

    A browser always sends the CSRF field (the test client does not check it); an empty
    POST is a case of its own, see test_an_empty_post_gets_a_message.
    """
    data = {"csrfmiddlewaretoken": "x" * 64, **data}
    if transport == "multipart":
        return client.post(url, data)
    if transport == "urlencoded":
        return client.post(url, urlencode(data, doseq=True), content_type=FORM)
    if transport == "multipart-latin-1":  # a browser sending the page's text in latin-1
        body, content_type = _multipart(data, "latin-1")
    elif transport == "utf-16":
        body = urlencode(data, doseq=True).encode("utf-16")
        content_type = f"{FORM}; charset=utf-16"
    elif transport == "bogus-charset":
        body = urlencode(data, doseq=True).encode()
        content_type = f"{FORM}; charset=x-no-such-charset"
    else:
        body = urlencode(data, doseq=True, encoding="cp1252", errors="replace").encode()
        # Undeclared, the server expects UTF-8; declared, Django refuses it (400).
        content_type = FORM if transport == "latin-1" else f"{FORM}; charset=windows-1252"
    # generic() sends the bytes as they are, whatever the declared charset.
    return client.generic("POST", url, body, content_type=content_type)


def oversized(data):
    """Whether the body is over DATA_UPLOAD_MAX_MEMORY_SIZE: Django answers 400 before the view."""
    from django.conf import settings

    size = sum(len(str(v).encode()) for _name, v in _pairs(data))
    return size > settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def exact(transport):
    """Whether the server receives the typed characters unchanged."""
    return transport in ("multipart", "urlencoded")


def page_text(response):
    return response.content.decode("utf-8", "replace")


def assert_no_raw_markup(response):
    assert response.status_code < 500
    body = page_text(response)
    for marker in RAW_MARKERS:
        assert marker not in body, f"{marker!r} unescaped in the page"


def assert_kept_escaped(response, data, fields):
    """A re-displayed form shows each typed (printable) payload again, escaped."""
    body = page_text(response)
    for name in fields:
        value = data.get(name)
        if isinstance(value, str) and value in PAYLOADS and value.isprintable() and value.strip():
            if len(value) < 10_000:
                assert escape(value) in body, f"{name}: typed value lost or not escaped"


def assert_shown_escaped(value, response):
    """A stored text the page shows is there, escaped (checked when it is one plain line)."""
    text = str(value).strip()
    if text and text.isprintable() and len(text) < 10_000:
        assert escape(text) in page_text(response), f"{text!r} not shown, or not escaped"


def plain(text):
    return " ".join(str(text).split())


# Bugs the fuzzers found, now fixed; each flag re-enables the examples that found it.
SUBJECTS_ESCAPED_BUG = False  # e-mail subjects rendered with HTML autoescaping
EXPORT_CONTROL_CHARS_BUG = False  # control characters, U+FFFE/U+FFFF broke the workbooks
PREVIEW_UNESCAPED_BUG = False  # the decision preview printed the institution's text raw
DEADLINE_OVERFLOW_BUG = False  # a year-1 ranking deadline: a 500, for good on PostgreSQL
NUL_SEARCH_BUG = False  # ?q= with NUL: a 500 on PostgreSQL


def on_postgresql():
    from django.conf import settings

    return "postgresql" in settings.DATABASES["default"]["ENGINE"]


NOT_IN_XML = re.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ufffe\\uffff]")


def avoid(flag, triggered):
    """Skip an example that only hits a known, reported bug (see the flags above)."""
    assume(not (flag and triggered))


def exportable(text):
    """The text as the fuzzers may store it while EXPORT_CONTROL_CHARS_BUG stands."""
    if EXPORT_CONTROL_CHARS_BUG and isinstance(text, str):
        return NOT_IN_XML.sub("", text)
    return text


def assert_plain_text_email(message, values):
    """Each value the e-mail shows is there as typed: not HTML-escaped."""
    for value in values:
        if not plain(value):
            continue
        if escape(value) != value:
            assert escape(value) not in message.body, f"{value!r} HTML-escaped in the body"
            if not SUBJECTS_ESCAPED_BUG:
                assert escape(plain(value)) not in message.subject, f"{value!r} escaped"


@contextmanager
def rolled_back():
    """One example: whatever it writes is undone, so every example sees the same data."""
    mail.outbox.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def submit_through_form(call, **fields):
    """A commission submitted as the public form would store it (a new institution, even
    when the name looks like a known one); None if the form refuses it."""
    from commissions import services
    from commissions.forms import NEW_INSTITUTION, SubmissionForm

    fields.pop("institution_match", None)
    form = SubmissionForm(fields, call=call)
    if form.matches:
        form = SubmissionForm({**fields, "institution_match": NEW_INSTITUTION}, call=call)
    if not form.is_valid():
        return None
    return services.submit_commission(form, "fr")


def all_cells(content):
    """(sheet, coordinate, value, data type) of every cell of an .xlsx file."""
    from io import BytesIO

    from openpyxl import load_workbook

    workbook = load_workbook(BytesIO(content), read_only=True)
    try:
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.value is not None:
                        yield sheet.title, cell.coordinate, cell.value, cell.data_type
    finally:
        workbook.close()


FORMULA_STARTS = ("=", "+", "-", "@")


def assert_no_formula(content):
    """No cell of the workbook is a formula or text a spreadsheet would run as one."""
    for sheet, where, value, data_type in all_cells(content):
        assert data_type != "f", f"{sheet}!{where} is a formula: {value!r}"
        if isinstance(value, str):
            assert not value.startswith(FORMULA_STARTS), f"{sheet}!{where} = {value!r}"


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
    from commissions import services

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
