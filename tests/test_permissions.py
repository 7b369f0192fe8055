"""The permission matrix: every URL of the project, as every kind of user.

URLs come from the resolver, so a new view without an expectation here fails the suite.
Third-party URL trees (Django's admin, Wagtail's admin and documents) are checked at their
root only: their own permission systems guard what is below.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver
from factories import add_follow_dates, formed, make_call, make_cohort

from commissions.models import AccessToken, Email, Programme
from commissions.roles import make_coordinator
from commissions.selection import selecting
from teams.follow.following import add_deliverable
from teams.forming import allocating
from teams.models import RosterImport, Team

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "institution",
    "student",
    "other_student",
    "supervisor",
    "other_coord",
    "coord",
]
THIRD_PARTY = {"django-admin/": "/django-admin/", "admin/": "/admin/", "documents/": None}

LOGIN = 302  # anonymous people are sent to the login page
COORD_ONLY = {
    "anonymous": LOGIN,
    "institution": LOGIN,
    "student": 403,
    "other_student": 403,
    "supervisor": 403,
    "other_coord": 403,
    "coord": 200,
}


def only(coord, **others):
    """A coordinator-only URL whose coordinator answer is `coord`."""
    return {**COORD_ONLY, "coord": coord, **others}


def everyone(status, **others):
    return {**dict.fromkeys(ROLES, status), **others}


# name -> (method, expected status per role). POSTs carry no data: a coordinator gets the
# view's own refusal (a message and a redirect), everyone else a refusal before any work.
EXPECTED = {
    "health": ("get", everyone(200)),
    "favicon": ("get", everyone(301)),
    "set_language": ("post", everyone(302)),
    "login": ("get", everyone(200)),
    "logout": ("post", everyone(302)),
    "password_reset": ("get", everyone(200)),
    "password_reset_done": ("get", everyone(200)),
    "password_set": ("get", everyone(200)),
    "password_set_done": ("get", everyone(200)),
    "wagtailcore_login": ("get", everyone(200)),
    "wagtailcore_authenticate_with_password": ("get", everyone(404)),
    "wagtail_serve": ("get", everyone(200)),
    "commissions:submit": ("get", everyone(200)),
    "commissions:submitted": ("get", everyone(302)),  # without a submission: to the form
    "commissions:request_link": ("get", everyone(200)),
    # The institution holds the real link; everyone else tries a made-up one.
    "commissions:portal": ("get", everyone(404, institution=200)),
    "commissions:edit": ("get", everyone(404, institution=302)),  # selected: read-only
    "commissions:withdraw": ("get", everyone(404, institution=302)),
    "commissions:institution_details": ("get", everyone(404, institution=302)),  # selected
    "commissions:workspace": ("get", only(200, other_coord=200)),
    "commissions:review_table": ("get", COORD_ONLY),
    "commissions:review_commission": ("get", COORD_ONLY),
    "commissions:add_note": ("post", only(302)),
    "commissions:assignments": ("get", COORD_ONLY),
    "commissions:selection": ("get", COORD_ONLY),
    "commissions:compare_runs": ("get", only(302)),  # no runs named: back to the selection
    "commissions:selection_run": ("get", COORD_ONLY),
    "commissions:confirm_run": ("post", only(302)),
    "commissions:outbox": ("get", COORD_ONLY),
    "commissions:resend_email": ("post", only(404)),  # only decision e-mails are resent
    "commissions:export": ("get", COORD_ONLY),
    # Not bound to a call: each coordinator sees the data of their own programmes. POSTs
    # without an address give the form back with its error.
    "commissions:privacy": ("get", only(200, other_coord=200)),
    "commissions:privacy_export": ("post", only(200, other_coord=200)),
    "commissions:privacy_erase": ("post", only(200, other_coord=200)),
    "teams:my_space": ("get", everyone(302)),
    "commissions:account": ("get", everyone(200, anonymous=LOGIN, institution=LOGIN)),
    "teams:ranking": (
        "get",
        everyone(404, anonymous=LOGIN, institution=LOGIN, student=200, other_student=200),
    ),
    "teams:team": (
        "get",
        everyone(404, anonymous=LOGIN, institution=LOGIN, student=200, supervisor=200, coord=200),
    ),
    "teams:supervisor_home": (
        "get",
        everyone(404, anonymous=LOGIN, institution=LOGIN, supervisor=200),
    ),
    "teams:people": ("get", COORD_ONLY),
    "teams:invite": ("post", only(302)),
    "teams:remind": ("post", only(302)),
    "teams:roster_upload": ("get", COORD_ONLY),
    "teams:roster_template": ("get", COORD_ONLY),
    "teams:roster_review": ("get", COORD_ONLY),
    "teams:board": ("get", COORD_ONLY),
    "teams:run": ("post", only(302)),
    "teams:proposal": ("get", COORD_ONLY),
    "teams:compare_proposals": ("get", only(302)),  # fewer than two proposals: to the board
    "teams:apply": ("post", only(302)),
    "teams:move": ("post", only(404)),  # no student given
    "teams:set_supervisor": ("post", only(302)),
    "teams:lock": ("post", only(302)),
    "teams:publish": ("post", only(302)),
    "teams:export": ("get", COORD_ONLY),
    # Following the year: the supervisor marks, the members hand in, the coordinators see all.
    "teams:milestone_update": (
        "post",
        everyone(404, anonymous=LOGIN, institution=LOGIN, supervisor=302, coord=302),
    ),
    "teams:milestone_move": ("post", everyone(404, anonymous=LOGIN, institution=LOGIN, coord=302)),
    # No file posted: the dashboard again with the field's error.
    "teams:upload": (
        "post",
        everyone(404, anonymous=LOGIN, institution=LOGIN, student=400, coord=400),
    ),
    # A version sent already: "sent already", back to the team's page.
    "teams:send": (
        "post",
        everyone(404, anonymous=LOGIN, institution=LOGIN, student=302, coord=302),
    ),
    "teams:download": (
        "get",
        everyone(404, anonymous=LOGIN, institution=LOGIN, student=200, supervisor=200, coord=200),
    ),
    "teams:calendar": ("get", everyone(404)),  # a made-up token; real ones: test_calendar.py
    "teams:calendar_renew": ("post", everyone(302, anonymous=LOGIN, institution=LOGIN)),
    "teams:institution_download": ("get", everyone(404, institution=200)),
    "teams:institution_feedback": ("post", everyone(404, institution=200)),  # empty: errors
    "teams:institution_calendar_renew": ("post", everyone(404, institution=302)),
    "teams:follow": ("get", COORD_ONLY),
    "teams:follow_export": ("get", COORD_ONLY),
    "teams:follow_done": ("post", only(302)),
    "teams:reminders": ("get", COORD_ONLY),
    # Across years: a programme's pages, for its coordinators.
    "insights:archive": ("get", COORD_ONLY),
    "insights:prepare": ("get", COORD_ONLY),
    "insights:organisations": ("get", COORD_ONLY),
    "insights:organisation": ("get", COORD_ONLY),
    "insights:analytics": ("get", COORD_ONLY),
    "insights:analytics_download": ("get", COORD_ONLY),
    "insights:library": ("get", COORD_ONLY),
    "insights:library_toggle": ("post", only(404)),  # no entry in the programme
    "insights:survey": (
        "get",
        everyone(404, anonymous=LOGIN, institution=LOGIN, student=200, other_student=200),
    ),
    "insights:survey_results": ("get", COORD_ONLY),
    "insights:survey_send": ("post", only(302)),
    "insights:survey_remind": ("post", only(302)),
    "insights:oral_feedback": ("post", everyone(404)),  # before the oral presentation
    "insights:prepared": ("get", COORD_ONLY),
    # The network: public finder, picture and similar-work panel; the registry's upload for
    # the coordinators of any programme; outreach per call.
    "network:picture": ("get", everyone(200)),
    "network:finder": ("get", everyone(200)),
    "network:similar": ("get", everyone(200)),
    "network:directory_upload": ("get", only(200, other_coord=200)),
    "network:directory_template": ("get", only(200, other_coord=200)),
    "network:outreach": ("get", COORD_ONLY),
    "network:invite": ("post", only(302)),
}


def resolvable():
    """(route, name) of every URL pattern, and the third-party trees found."""

    def walk(patterns, prefix="", namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                route = prefix + str(p.pattern)
                if route in THIRD_PARTY:
                    yield route, None
                    continue
                ns = namespace + (f"{p.namespace}:" if p.namespace else "")
                yield from walk(p.url_patterns, route, ns)
            else:
                yield prefix + str(p.pattern), (namespace + p.name) if p.name else None

    return list(walk(get_resolver().url_patterns))


def test_every_url_has_an_expectation():
    missing = [
        route
        for route, name in resolvable()
        if route not in THIRD_PARTY and (name is None or name not in EXPECTED)
    ]
    assert not missing, f"URLs without a line in the permission matrix: {missing}"
    stale = set(EXPECTED) - {name for _route, name in resolvable()}
    assert not stale, f"expectations for URLs that no longer exist: {stale}"


@pytest.fixture
def world(call, vocab, django_user_model, django_capture_on_commit_callbacks):
    add_follow_dates(call)
    make_cohort(call, vocab)
    coord = django_user_model.objects.create_user("coord", "c@x.example", "pw-coord-123")
    make_coordinator(coord, call.programme)
    other_programme = Programme.objects.create(name="Autre", short_name="A", slug="autre")
    make_call(other_programme, slug="autre-appel")
    other_coord = django_user_model.objects.create_user("coord2", "c2@x.example", "pw-coord-123")
    make_coordinator(other_coord, other_programme)
    run = formed(call, coord)
    with django_capture_on_commit_callbacks(execute=True):
        allocating.publish(call, coord, accept_warnings=True)
    team, other_team = Team.objects.select_related("supervisor__user", "commission")[:2]
    report = team.milestones.get(key_date__kind="report")
    document = add_deliverable(
        report, SimpleUploadedFile("r.pdf", b"%PDF-1.7\n%%EOF\n"), team.members.first().user
    )
    selection = selecting.run_selection(call, coord, selecting.default_params(call))
    roster = RosterImport.objects.create(call=call, kind="students", filename="x.xlsx", digest="0")
    users = {
        "anonymous": None,
        "institution": None,
        "student": team.members.first().user,
        "other_student": other_team.members.first().user,
        "supervisor": team.supervisor.user,
        "other_coord": other_coord,
        "coord": coord,
    }
    args = {
        "slug": call.slug,
        "programme": call.programme.slug,
        "kind": "students",
        "number": run.number,
        "chart": "submissions",
        "uidb64": "MQ",
        "token": "not-a-real-token",
        "page_view_restriction_id": 999,
        "page_id": 999,
    }
    special = {
        "commissions:review_commission": {"pk": team.commission_id},
        "commissions:add_note": {"pk": team.commission_id},
        "commissions:selection_run": {"number": selection.number},
        "commissions:confirm_run": {"number": selection.number},
        "commissions:resend_email": {"pk": Email.objects.filter(call=call).first().pk},
        "teams:team": {"pk": team.pk},
        "insights:organisation": {"pk": team.commission.institution_id},
        "insights:library_toggle": {"pk": 999999},
        "teams:set_supervisor": {"pk": team.pk},
        "teams:lock": {"pk": team.pk},
        "teams:roster_review": {"pk": roster.pk},
        "teams:milestone_update": {"pk": team.pk, "milestone": report.pk},
        "teams:milestone_move": {"pk": team.pk, "milestone": report.pk},
        "teams:upload": {"pk": team.pk, "milestone": report.pk},
        "teams:download": {"pk": team.pk, "deliverable": document.pk},
        "teams:send": {"pk": team.pk, "deliverable": document.pk},
        "teams:institution_download": {"deliverable": document.pk},
        "wagtail_serve": {},
    }
    return users, args, special, AccessToken.issue(team.commission)


def _path(route, name, args, special, token):
    import re

    values = {**args, **special.get(name, {})}
    if name.startswith(("commissions:", "teams:institution_")) and "<str:token>" in route:
        values["token"] = token
    if name == "wagtail_serve":
        return "/"
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)


def test_permission_matrix(client, world):
    users, args, special, token = world
    wrong = []
    routes = {name: route for route, name in resolvable() if name}
    # Coordinators last: their POSTs may change what the others would see.
    for role in ROLES:
        for name, (method, expected) in EXPECTED.items():
            client.logout()  # the logout URL itself signs out: sign in again for each
            if users[role] is not None:
                client.force_login(users[role])
            real = token if role == "institution" else "made-up-token-0000"
            path = _path(routes[name], name, args, special, real)
            response = getattr(client, method)(path)
            if response.status_code != expected[role]:
                wrong.append(
                    f"{role:13} {method.upper():4} {path} -> {response.status_code}, "
                    f"expected {expected[role]}"
                )
    for prefix, root in THIRD_PARTY.items():
        if root:
            client.logout()
            assert client.get(root).status_code == 302, prefix  # their own login
    assert not wrong, "\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    "path",
    [
        "/equipes/99999999999999999999999999/",
        "/coordination/x/commandes/123456789012345678901234567890/",
        "/coordination/x/selection/comparer/?a=99999999999999999999999&b=²",
    ],
)
def test_ids_too_long_for_the_database_are_not_found(client, django_user_model, path):
    user = django_user_model.objects.create_superuser("root", "r@x.example", "pw-root-123")
    client.force_login(user)
    assert client.get(path).status_code == 404
