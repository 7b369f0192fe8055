"""Bad input in the coordinators' workspace (issue 6): scoring, notes, reviewer assignment,
selection parameters, the outbox, the workspace's query strings, the Excel export and the
decision e-mails.

Properties: never a 500; a refused form says why and shows what was typed, escaped; the
workbook holds no formula and no text a spreadsheet would run as one; e-mails are plain text.
The commissions here come through the public form, with markup and formulas in their texts.
"""

from urllib.parse import quote, urlencode

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django.utils.module_loading import import_string
from factories import make_call, queued_tasks, valid_submission
from fuzzing import (
    FUZZ,
    FUZZ_EXPORT,
    NUL_SEARCH_BUG,
    PREVIEW_UNESCAPED_BUG,
    SUBJECTS_ESCAPED_BUG,
    URL_PAYLOADS,
    assert_kept_escaped,
    assert_no_formula,
    assert_no_raw_markup,
    assert_plain_text_email,
    assert_shown_escaped,
    avoid,
    exportable,
    ids,
    on_postgresql,
    page_text,
    plain,
    post,
    rolled_back,
    submit_through_form,
    texts,
    values,
)
from hypothesis import event, given
from hypothesis import strategies as st

from commissions.models import Criterion, Email, Note, Review, ReviewAssignment
from commissions.roles import REVIEWERS, make_coordinator
from commissions.selection import selecting

pytestmark = pytest.mark.django_db

# Texts the fixture's commissions carry: markup, formulas, quotes.
NASTY_TITLES = [
    "<script>alert('xss')</script>",
    "=cmd|' /C calc'!A0",
    "+SUM(1+1)",
    "-2+3 <b>bold</b>",
    "@SUM(A1) & \"quoted\" 'single'",
]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def workspace(call, vocab, django_user_model, client):
    """A call with five nasty submissions, a coordinator (on `client`) and a reviewer."""
    Criterion.objects.create(
        call=call, label="Disponibilité <i>réelle</i>", scale_min=1, scale_max=5, order=2
    )
    coordinator = django_user_model.objects.create_user(
        "coord", "coord@mias.example", "pw-coord-123", first_name="<b>bold</b> Coord"
    )
    make_coordinator(coordinator, call.programme)
    reviewer = django_user_model.objects.create_user(
        "rev", "rev@mias.example", "pw-rev-123", last_name="=cmd|' /C calc'!A0"
    )
    reviewer.groups.add(Group.objects.get_or_create(name=REVIEWERS)[0])
    commissions = []
    for i, title in enumerate(NASTY_TITLES):
        fields = valid_submission(
            call,
            vocab,
            institution_name=f"{title} institution {i}",
            city=NASTY_TITLES[-1 - i],
            contact_name=NASTY_TITLES[(i + 1) % 5],
            title=title,
            question=f"{NASTY_TITLES[(i + 2) % 5]} ?",
            contact_email=f"contact{i}@inst.example",
            sector=vocab["sectors"][i % 4].pk,
        )
        commission = submit_through_form(call, **fields)
        assert commission is not None
        commissions.append(commission)
    ReviewAssignment.objects.create(commission=commissions[0], reviewer=reviewer)
    client.force_login(coordinator)
    reviewer_client = Client()
    reviewer_client.force_login(reviewer)
    return {
        "call": call,
        "commissions": commissions,
        "coordinator": coordinator,
        "reviewer": reviewer,
        "clients": {"coordinator": client, "reviewer": reviewer_client},
        "criteria": list(call.criteria.filter(kind=Criterion.Kind.REVIEWER)),
    }


def score_fields(criteria):
    """Scores and comments: in the scale, outside it, or anything at all."""
    fields = {}
    for criterion in criteria:
        scale = [str(s) for s in range(criterion.scale_min, criterion.scale_max + 1)]
        fields[f"score_{criterion.pk}"] = st.one_of(st.sampled_from(scale), values())
        fields[f"comment_{criterion.pk}"] = texts()
    return fields


# --------------------------------------------------------------------------- scoring


@FUZZ
@given(data=st.data(), who=st.sampled_from(["coordinator", "reviewer"]))
def test_scoring_form(workspace, data, who):
    criteria = workspace["criteria"]
    fields = score_fields(criteria)
    posted = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                **fields,
                "score_0": values(),
                "score_abc": values(),
                f"score_{criteria[0].pk + 100}": values(),
            },
        ),
        label="posted",
    )
    commission = workspace["commissions"][0]
    url = reverse("commissions:review_commission", args=[workspace["call"].slug, commission.pk])
    client = workspace["clients"][who]
    with rolled_back():
        response = post(client, url, posted)
        event(f"status {response.status_code}")
        assert_no_raw_markup(response)
        if response.status_code == 200:
            assert response.context["form"].errors
            assert_kept_escaped(response, posted, [f"comment_{c.pk}" for c in criteria])
            assert not Review.objects.exists()
            return
        assert response.status_code in (302, 400)
        if response.status_code == 302:
            assert Review.objects.count() == len(criteria)
            page = client.get(url)
            assert_no_raw_markup(page)
            for review in Review.objects.all():
                assert_shown_escaped(review.comment, page)


# --------------------------------------------------------------------------- notes


@FUZZ
@given(
    posted=st.dictionaries(st.sampled_from(["text", "commission", "author"]), values(), max_size=3),
    target=st.sampled_from(["own", "other call", "missing"]),
)
def test_notes_form(client, workspace, programme, posted, target):
    call = workspace["call"]
    pk = workspace["commissions"][1].pk
    slug = call.slug
    if target == "other call":
        slug = "elsewhere"
    elif target == "missing":
        pk = 10**9
    with rolled_back():
        if target == "other call":
            make_call(programme, slug="elsewhere")
        response = post(client, f"/coordination/{slug}/commandes/{pk}/note/", posted)
        assert response.status_code in (302, 400, 404)
        if target != "own":
            assert response.status_code in (400, 404)
            assert not Note.objects.exists()
            return
        if response.status_code == 302:
            assert Note.objects.count() <= 1
            page = client.get(response.url)
            assert_no_raw_markup(page)
            for note in Note.objects.all():
                assert_shown_escaped(note.text, page)


# --------------------------------------------------------------------------- assignment


@FUZZ
@given(data=st.data())
def test_reviewer_assignment_form(client, workspace, data):
    call = workspace["call"]
    real = [str(c.pk) for c in workspace["commissions"]]
    users = [str(workspace["reviewer"].pk), str(workspace["coordinator"].pk)]
    posted = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                "reviewer": st.one_of(st.sampled_from(users), values()),
                "commissions": st.lists(st.one_of(st.sampled_from(real), ids()), max_size=4),
                "extra": values(),
            },
        ),
        label="posted",
    )
    before = ReviewAssignment.objects.count()
    with rolled_back():
        response = post(client, reverse("commissions:assignments", args=[call.slug]), posted)
        event(f"status {response.status_code}")
        assert_no_raw_markup(response)
        if response.status_code == 200:
            assert response.context["form"].errors
            assert ReviewAssignment.objects.count() == before
        else:
            assert response.status_code in (302, 400)


# --------------------------------------------------------------------------- selection

NUMBERS = st.one_of(
    st.integers(min_value=-5, max_value=600).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["nan", "inf", "-inf", "1e309", "1e-400", "0x10", "1_0", "١٢", "²", "5,5"]),
    ids(),
)
PARAMS = [
    "places",
    "merit_weight",
    "sector_reward",
    "type_reward",
    "context_reward",
    "similarity_penalty",
    "similarity_threshold",
    "sector_cap",
    "waitlist_size",
]


@FUZZ
@given(data=st.data())
def test_selection_params_form(client, workspace, data):
    call = workspace["call"]
    real = [str(c.pk) for c in workspace["commissions"]]
    defaults = {k: v for k, v in selecting.default_params(call).items() if k in PARAMS}
    posted = {k: "" if v is None else str(v) for k, v in defaults.items()}
    posted.update(
        data.draw(st.dictionaries(st.sampled_from(PARAMS), NUMBERS, max_size=3), label="params")
    )
    for name in ("pinned", "excluded"):
        posted[name] = data.draw(
            st.lists(st.one_of(st.sampled_from(real), ids()), max_size=3), label=name
        )
    with rolled_back():
        response = post(client, reverse("commissions:selection", args=[call.slug]), posted)
        event(f"status {response.status_code}")
        assert_no_raw_markup(response)
        if response.status_code == 200:
            assert response.context["form"].errors
            assert not call.selection_runs.exists()
            return
        assert response.status_code in (302, 400)
        if response.status_code == 302:
            assert call.selection_runs.get().result
            pages = [response.url]
            if not PREVIEW_UNESCAPED_BUG:
                pages.append(reverse("commissions:confirm_run", args=[call.slug, 1]))
            for page in pages:
                shown = client.get(page)
                assert shown.status_code == 200
                assert_no_raw_markup(shown)
                assert escape(NASTY_TITLES[0]) in page_text(shown)


# --------------------------------------------------------------------------- outbox


@pytest.fixture
def outbox(workspace):
    from commissions.outbox.mail import queue_email

    commission = workspace["commissions"][2]
    decision, _ = queue_email(
        "decision:fuzz", "decision_selected", "x@inst.example", "fr", commission
    )
    # Sent once already: only then is a resend offered (a queued one would go out twice).
    Email.objects.filter(pk=decision.pk).update(status=Email.Status.SENT)
    notice = Email.objects.filter(kind="coordinator_notice").first()
    return {"decision": decision.pk, "notice": notice.pk}


@FUZZ
@given(
    which=st.one_of(
        st.sampled_from(["decision", "notice"]),
        ids().map(lambda v: ("raw", v)),
    ),
    method=st.sampled_from(["post", "get"]),
    posted=st.dictionaries(st.sampled_from(["pk", "to", "kind", "confirm"]), values(), max_size=2)
    | st.just({"confirm": "1"}),
)
def test_outbox_resend_with_bad_ids(client, workspace, outbox, which, method, posted):
    call = workspace["call"]
    pk = which[1] if isinstance(which, tuple) else str(outbox[which])
    url = f"/coordination/{call.slug}/envois/{quote(pk, safe='')}/renvoyer/"
    before = Email.objects.count()
    with rolled_back():
        if method == "post":
            response = post(client, url, posted)
        else:
            response = client.get(url)
        event(f"status {response.status_code}")
        assert_no_raw_markup(response)
        if method == "post" and pk == str(outbox["decision"]) and posted.get("confirm") == "1":
            assert response.status_code == 302
            assert Email.objects.count() == before + 1
        elif method == "post" and pk == str(outbox["decision"]):
            assert response.status_code == 200  # asks to confirm first
            assert Email.objects.count() == before
        else:
            assert response.status_code in (404, 405)
            assert Email.objects.count() == before


# --------------------------------------------------------------------------- query strings


@pytest.fixture
def two_runs(workspace):
    call = workspace["call"]
    for _ in range(2):
        selecting.run_selection(call, workspace["coordinator"], selecting.default_params(call))


PAGES = ["review_table", "selection", "compare_runs", "outbox", "assignments", "commission"]
QUERY_KEYS = ["sort", "q", "sector", "type", "context", "status", "from", "a", "b", "page"]


@FUZZ
@given(
    page=st.sampled_from(PAGES),
    params=st.one_of(
        st.dictionaries(st.sampled_from(QUERY_KEYS), values(URL_PAYLOADS), max_size=4).map(
            lambda d: urlencode(d, doseq=True)
        ),
        st.binary(max_size=60).map(lambda b: b.decode("latin-1")),  # raw, undecodable bytes
        st.sampled_from(
            [
                "from=%C2%B2",  # "²": a digit to str.isdigit(), not to int()
                "a=%C2%B2&b=1",
                "a=1&b=%D9%A1",
                "q=%00",
                "q=%ff%fe",
                "sector=" + "9" * 30,
                "sort=-merit&sort=title",
            ]
        ),
    ),
)
def test_workspace_query_strings(client, workspace, two_runs, page, params):
    searched = QueryDict(params.encode("latin-1")).getlist("q")
    avoid(NUL_SEARCH_BUG and on_postgresql(), any("\x00" in q for q in searched))
    call = workspace["call"]
    if page == "commission":
        url = reverse(
            "commissions:review_commission", args=[call.slug, workspace["commissions"][0].pk]
        )
    else:
        url = reverse(f"commissions:{page}", args=[call.slug])
    with rolled_back():
        response = client.get(url, QUERY_STRING=params)
        event(f"status {response.status_code}")
        assert response.status_code in (200, 302, 400, 404)
        assert_no_raw_markup(response)


# --------------------------------------------------------------------------- export and e-mails

EXPORTED = ["institution_name", "city", "contact_name", "contact_role", "contact_phone", "title"]
EXPORTED_LONG = ["question", "context", "expected_outcome", "resources"]


def storable(limit):
    """Text the public form mostly accepts: not blank, no NUL, within the field's length."""
    return texts().map(lambda t: t.replace("\x00", "")[:limit]).filter(str.strip)


@FUZZ_EXPORT
@given(
    typed=st.fixed_dictionaries(
        {},
        optional={
            **{name: storable(120) for name in EXPORTED},
            **{name: storable(5000) for name in EXPORTED_LONG},
            "website": st.sampled_from(
                ["", "https://lee.example/=cmd|' /C calc'!A0", "https://x.example/?q=<b>bold</b>"]
            ),
        },
    ),
    confirm=st.booleans(),
)
def test_export_and_decision_emails(
    client, workspace, vocab, broker, django_capture_on_commit_callbacks, typed, confirm
):
    call = workspace["call"]
    typed = {name: exportable(value) for name, value in typed.items()}
    with rolled_back():
        fields = valid_submission(call, vocab, **typed)
        commission = submit_through_form(call, **fields)
        event("accepted" if commission else "refused")
        if confirm and commission is not None:
            selecting.run_selection(
                call, workspace["coordinator"], {**selecting.default_params(call), "places": 3}
            )
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(reverse("commissions:confirm_run", args=[call.slug, 1]))
            assert response.status_code == 302
            # Deliver the fuzzed commission's decision (the others carry the fixture's texts).
            mine = set(Email.objects.filter(commission=commission).values_list("pk", flat=True))
            for func, args, kwargs in queued_tasks(broker):
                if args and args[0] in mine:
                    import_string(func)(*args, **kwargs)
            (message,) = mail.outbox
            assert_plain_text_email(message, [commission.title, commission.contact_name])
            assert commission.contact_name in message.body
            if not SUBJECTS_ESCAPED_BUG:
                assert plain(commission.title) in message.subject
        response = client.get(reverse("commissions:export", args=[call.slug]))
        assert response.status_code == 200
        assert_no_formula(response.content)


# --------------------------------------------------------------------------- known bugs


def test_decision_preview_escapes_what_institutions_typed(client, workspace):
    call = workspace["call"]
    selecting.run_selection(call, workspace["coordinator"], selecting.default_params(call))
    page = client.get(reverse("commissions:confirm_run", args=[call.slug, 1]))
    assert page.status_code == 200
    assert_no_raw_markup(page)


@pytest.mark.parametrize("char", ["\x08", "\x1b", "\ufffe"])
def test_export_survives_characters_xml_cannot_hold(client, workspace, vocab, char):
    call = workspace["call"]
    fields = valid_submission(call, vocab, institution_name=f"Asbl{char}", title=f"T{char}")
    assert submit_through_form(call, **fields) is not None  # the public form takes it
    response = client.get(reverse("commissions:export", args=[call.slug]))
    assert response.status_code == 200
    assert_no_formula(response.content)  # opens the workbook


@pytest.mark.parametrize("query", ["from=%C2%B2", "a=%C2%B2&b=1"])
def test_selection_pages_survive_unicode_digits(client, workspace, two_runs, query):
    """Found by the fuzzer: '²' passes str.isdigit(), not int() (a 500 until mias/ids.py)."""
    page = "selection" if query.startswith("from") else "compare_runs"
    url = reverse(f"commissions:{page}", args=[workspace["call"].slug])
    assert client.get(url, QUERY_STRING=query).status_code < 500


@pytest.mark.parametrize("page", ["assignments", "selection"])
def test_huge_ids_in_multiple_choices_get_a_message(client, workspace, page):
    """Found by the fuzzer: Django's pk__in=[9…9] is an OverflowError on SQLite (a 500 until
    mias/ids.py)."""
    call = workspace["call"]
    huge = "9" * 40
    if page == "assignments":
        posted = {"reviewer": workspace["reviewer"].pk, "commissions": [huge]}
    else:
        defaults = selecting.default_params(call)
        posted = {k: "" if v is None else v for k, v in defaults.items() if k in PARAMS}
        posted["excluded"] = [huge]
    response = client.post(reverse(f"commissions:{page}", args=[call.slug]), posted)
    assert response.status_code == 200
    assert response.context["form"].errors


def test_search_with_a_nul_character(client, workspace):
    url = reverse("commissions:review_table", args=[workspace["call"].slug])
    response = client.get(url, {"q": "a\x00b"})
    assert response.status_code == 200
