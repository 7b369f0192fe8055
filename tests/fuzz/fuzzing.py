"""What every fuzz test shares: the hypothesis profile, strategies of hostile input, checks.

FUZZ_EXAMPLES sets the examples per form: 200 by default in CI (CI=true: .ci/run), 25 elsewhere, so
that a run on a laptop stays under five minutes while CI keeps the full exploration.
"""

import os
import re
from contextlib import contextmanager
from urllib.parse import urlencode

from django.core import mail
from django.db import transaction
from django.utils.html import escape
from hypothesis import HealthCheck, Phase, assume
from hypothesis import settings as hsettings
from hypothesis import strategies as st

# --------------------------------------------------------------------------- the profile

DEFAULT_EXAMPLES = "200" if os.environ.get("CI") == "true" else "25"
hsettings.register_profile(
    "mias-fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", DEFAULT_EXAMPLES)),
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
    from commissions.intake import services
    from commissions.intake.forms import NEW_INSTITUTION, SubmissionForm

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
    """No cell of the workbook is a formula: text that looks like one ("=…", "+32 81…") is
    stored as text, kept as typed (no apostrophe added)."""
    for sheet, where, value, data_type in all_cells(content):
        assert data_type != "f", f"{sheet}!{where} is a formula: {value!r}"
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            assert data_type == "s", f"{sheet}!{where} = {value!r} is not stored as text"
