"""Every page a user waits for, at two sizes of a programme, against a trivial view, same server.

Starts gunicorn on a free loopback port with the production settings (DEBUG off) plus a trivial
view (devtools.bench_settings), and an agent (devtools.benchserver) that builds, in a scratch
database, two programmes, one of each size, each with a running call (its published teams,
students, supervisors, milestones, documents) and an open call (its Wagtail page, submissions,
reviews, confirmation e-mails), by bulk inserts. Both are served by the same server and
measured in alternation, page by page: the machine's drift over the minutes of a run (seen
here at ±40 % on a shared 2-core machine) weighs on both sizes alike, and the small programme
is measured in a database that also holds the large one.

    python manage.py bench_pages [--small 50x20] [--large 500x2000] [--requests 100]
        [--seconds 10] [--rounds 2] [--workers 2] [--concurrency 4] [--use-database URL]

Sizes read TEAMSxSUBMISSIONS. Each page is requested by `--concurrency` clients at once, in
rounds that take every page (the trivial view among them) at one size then the other, at most
`--requests` requests or `--seconds` seconds per page and size, whichever comes first: a page of
seconds still ends in bounded time. Prints one JSON line; per page and size: p50 and p95
milliseconds, requests per second, requests measured, SQL queries of one request (in the agent,
after a first warming request), bytes of HTML (uncompressed), the throughput ratio to the
trivial view at the same size; per page the growth large/small of the p50; and whether the
issue's targets are met.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from devtools.benchserver import (
    MINIMAL_PATH,
    STOP,
    Agent,
    BenchError,
    Server,
    add_server_arguments,
    check_server_arguments,
    forget_bench_state,
    in_threads,
    interruptible,
    log_tail,
    percentile,
    scratch_database,
    server_env,
    synthetic_commission,
)

# Page -> who requests it. The trivial view comes first: every ratio is against it.
PAGES = {
    "trivial": "public",
    "review_table": "coordinator",
    "follow_board": "coordinator",
    "people": "coordinator",
    "team_board": "coordinator",
    "outbox": "coordinator",
    "analytics": "coordinator",
    "organisations": "coordinator",
    "archive": "coordinator",
    "library": "coordinator",
    "home": "public",
    "call_page": "public",
    "submit_form": "public",
    "student_team": "student",
    "student_space": "student",
    "supervisor_home": "supervisor",
}
# A student with a published team is sent on from "mon-espace" to that team's page: the redirect
# is what they wait for there.
EXPECTED_STATUS = {"student_space": 302}
GROUPS = {
    "coordinator": [p for p, who in PAGES.items() if who == "coordinator"],
    "public": ["home", "call_page", "submit_form"],
    "signed_in": ["student_team", "student_space", "supervisor_home"],
}
# The targets (issue 14).
COORDINATOR_P95_MS = 150
COORDINATOR_GROWTH = 1.5
SIGNED_IN_P95_MS = 60
PUBLIC_THROUGHPUT_RATIO = 0.3
MEMBERS = 5
BENCH_SITE = "Bench"
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def parse_size(text):
    """'500x2000' -> (500, 2000): teams x submissions, each at least 1."""
    try:
        teams, submissions = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise CommandError(f"size {text!r}: expected TEAMSxSUBMISSIONS, e.g. 50x20") from None
    if teams < 1 or submissions < 1:
        raise CommandError(f"size {text!r}: teams and submissions must be at least 1")
    return teams, submissions


class Command(BaseCommand):
    help = (
        "p50, p95, queries and bytes of the coordinator, public and signed-in pages at two sizes "
        "of a programme, against a trivial view on the production server (gunicorn on loopback); "
        "prints one JSON line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--small", default="50x20", help="TEAMSxSUBMISSIONS (default 50x20)")
        parser.add_argument(
            "--large", default="500x2000", help="TEAMSxSUBMISSIONS (default 500x2000)"
        )
        parser.add_argument(
            "--requests", type=int, default=100, help="at most this many requests per page and size"
        )
        parser.add_argument(
            "--seconds", type=float, default=10.0, help="at most this long per page and size"
        )
        parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds")
        add_server_arguments(parser, concurrency=4, who="clients")

    def handle(self, **options):
        small, large = parse_size(options["small"]), parse_size(options["large"])
        if large[0] < small[0] or large[1] < small[1]:
            raise CommandError("--large must be at least --small")
        if options["requests"] < 1 or options["rounds"] < 1 or options["seconds"] <= 0:
            raise CommandError("--requests, --rounds and --seconds must be positive")
        check_server_arguments(options)
        try:
            result = run_pages(
                small=small,
                large=large,
                requests=options["requests"],
                seconds=options["seconds"],
                rounds=min(options["rounds"], options["requests"]),
                workers=options["workers"],
                concurrency=options["concurrency"],
                use_database=options["use_database"],
                log=lambda text: self.stderr.write(text),
            )
        except BenchError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result))


# ---------------------------------------------------------------- in the agent


def _session_for(user):
    """The session cookie the login view would have set for this user."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {settings.SESSION_COOKIE_NAME: session.session_key}


def _users(tag, prefix, start, count, **fields):
    """`count` accounts without password (no PBKDF2 second each), in one insert."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    User = get_user_model()
    made = User.objects.bulk_create(
        User(
            username=f"{prefix}{n}-{tag}",
            email=f"{prefix}{n}-{tag}@uni.example",
            first_name=f"{fields.get('first_name', prefix)} {n}",
            last_name=f"Nom{n:05d}",
            password=make_password(None),
        )
        for n in range(start, start + count)
    )
    if made and made[0].pk is None:  # a backend without RETURNING
        names = [u.username for u in made]
        made = list(User.objects.filter(username__in=names).order_by("pk"))
    return made


def _institutions(tag, start, count, sector_ids):
    from commissions.models import Institution
    from devtools.benchserver import CITIES

    rows = Institution.objects.bulk_create(
        Institution(
            name=f"Maison bench {tag} {n}",
            legal_form="asbl",
            sector_id=sector_ids[n % len(sector_ids)],
            address=f"Rue de la Station {n + 1}",
            city=CITIES[n % len(CITIES)],
        )
        for n in range(start, start + count)
    )
    return rows


def _commissions(call, start, count, institutions, data, status, commitments=()):
    """`count` commissions of `call` numbered from `start`, in one insert."""
    from django.utils import timezone

    from commissions.models import Commission, KeyDate

    # Numbered after the highest reference of the prefix: another bench of the same process may
    # have used it in this database (the tests share one copy).
    first = Commission(call=call)._next_reference()
    prefix, number = first.rsplit("-", 1)
    offset = int(number) - 1 - start
    orals = list(call.key_dates.filter(kind=KeyDate.Kind.ORAL).values_list("pk", flat=True))
    now = timezone.now()
    made = Commission.objects.bulk_create(
        synthetic_commission(
            call,
            institutions[i],
            n,
            data,
            reference=f"{prefix}-{n + 1 + offset:03d}",
            contact_email=f"contact{n}@{call.slug}.example",
            accepted_commitments=list(commitments),
            preferred_presentation_id=orals[n % len(orals)] if orals else None,
            consent_at=now,
            status=status(n) if callable(status) else status,
            submitted_at=now - timedelta(minutes=n),
        )
        for i, n in enumerate(range(start, start + count))
    )
    if made and made[0].pk is None:
        made = list(
            Commission.objects.filter(reference__in=[c.reference for c in made]).order_by("pk")
        )
    return made


def prepare_pages(tag, teams, submissions):
    """The programme at its small size: a running call with its teams (the follow-up pages), an
    open call with its Wagtail page and submissions (the review table, the public pages), and
    the people who sign in. Returns the paths, the sessions and what grow_pages needs."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils import timezone
    from wagtail.models import Locale, Page, Site

    from cms.models import CallPage, HomePage
    from commissions.models import Call, KeyDate
    from commissions.roles import make_coordinator
    from devtools.benchserver import seed_call

    now = timezone.now()
    data = seed_call(tag, (now + timedelta(days=30)).isoformat())
    open_call = Call.objects.select_related("programme").get(pk=data["call_id"])
    programme = open_call.programme
    coordinator = programme.coordinators.get()
    make_coordinator(coordinator, programme)

    # Last year's call, running: its steps started 55 days ago (bench_dashboards' timing).
    run_deadline = now - timedelta(days=145)
    running = Call.objects.create(
        programme=programme,
        academic_year="2029-2030",
        slug=f"bench-{tag}-suivi",
        title="Recherche de consultances 2029-2030",
        opens_at=run_deadline - timedelta(days=60),
        deadline=run_deadline,
        status=Call.Status.RUNNING,
        contact_email="coord@bench.example",
    )
    shift = open_call.deadline - run_deadline
    KeyDate.objects.bulk_create(
        KeyDate(
            call=running,
            kind=kd.kind,
            label=kd.label,
            starts_at=kd.starts_at - shift,
            actor=kd.actor,
            commitment=kd.commitment,
        )
        for kd in open_call.key_dates.order_by("pk")
    )

    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    # One site for both programmes of the run: the second one's call page joins the first's.
    site = Site.objects.filter(is_default_site=True, site_name=BENCH_SITE).first()
    if site is not None:
        home = site.root_page.specific
    else:
        root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
        home = root.add_child(
            instance=HomePage(
                title="Laboratoires d'ingénierie sociale",
                slug=f"bench-{tag}",
                intro="<p>Confiez une question réelle à une équipe d'étudiant·es.</p>",
            )
        )
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={
                "hostname": "127.0.0.1",
                "port": 80,
                "root_page": home,
                "site_name": BENCH_SITE,
            },
        )
    paragraph = (
        "<p>Le Master en ingénierie et action sociales propose aux institutions du secteur "
        "non-marchand de confier une question réelle à une équipe de cinq étudiant·es, "
        "accompagnée par un·e accompagnateur·rice méthodologique, d'octobre à mai.</p>"
    )
    page = home.add_child(
        instance=CallPage(
            title=open_call.title,
            slug=f"appel-{tag}",
            call=open_call,
            intro=paragraph,
            body=paragraph * 6,
            closing=paragraph,
        )
    )
    reviewers = _users(tag, "reviewer", 0, 2, first_name="Relecteur·rice")
    state = {
        "tag": tag,
        "data": data,
        "open_call": open_call.pk,
        "running_call": running.pk,
        "coordinator": coordinator.pk,
        "reviewers": [u.pk for u in reviewers],
    }
    grow_pages(state, teams, submissions)

    from teams.models import Team

    team = Team.objects.filter(call=running).order_by("pk").first()
    student = team.members.order_by("pk").first()
    slug, run_slug, prog = open_call.slug, running.slug, programme.slug
    paths = {
        "trivial": MINIMAL_PATH,
        "review_table": reverse("commissions:review_table", args=[slug]),
        "follow_board": reverse("teams:follow", args=[run_slug]),
        "people": reverse("teams:people", args=[run_slug]),
        "team_board": reverse("teams:board", args=[run_slug]),
        "outbox": reverse("commissions:outbox", args=[slug]),
        "analytics": reverse("insights:analytics", args=[prog]),
        "organisations": reverse("insights:organisations", args=[prog]),
        "archive": reverse("insights:archive", args=[prog]),
        "library": reverse("insights:library", args=[prog]),
        "home": home.get_url(),
        "call_page": page.get_url(),
        "submit_form": data["submit_path"],
        "student_team": reverse("teams:team", args=[team.pk]),
        "student_space": reverse("teams:my_space"),
        "supervisor_home": reverse("teams:supervisor_home"),
    }
    return {
        "state": state,
        "paths": paths,
        "sessions": {
            "public": {},
            "coordinator": _session_for(coordinator),
            "student": _session_for(student.user),
            "supervisor": _session_for(team.supervisor.user),
        },
        # The signed-in pages must show this: the request reached the page, not a sign-in.
        "marker": student.user.last_name,
    }


def grow_pages(state, teams, submissions):
    """Bring the running call to `teams` published teams (MEMBERS students each, two teams per
    supervisor, milestones, documents on every fifth team) and the open call to `submissions`
    submissions (reviews on half, a confirmation e-mail each): bulk inserts only."""
    from django.utils import timezone

    from commissions.models import Call, Commission, Criterion, Email, Review, ReviewAssignment
    from devtools.management.commands.bench_dashboards import enrich
    from mias.signals import written
    from teams.follow import following
    from teams.models import Student, Supervisor, Team

    tag, data = state["tag"], state["data"]
    now = timezone.now()
    running = Call.objects.select_related("programme").get(pk=state["running_call"])
    open_call = Call.objects.select_related("programme").get(pk=state["open_call"])
    counted = Commission.objects.filter(call__programme=running.programme).count()

    have = Team.objects.filter(call=running).count()
    new = teams - have
    if new > 0:
        institutions = _institutions(tag, counted, new, data["sector_ids"])
        counted += new
        commissions = _commissions(
            running, have, new, institutions, data, Commission.Status.SELECTED
        )
        supervisors = list(Supervisor.objects.filter(call=running).order_by("pk"))
        wanted = (teams + 1) // 2
        if wanted > len(supervisors):
            users = _users(
                tag, "sup", len(supervisors), wanted - len(supervisors), first_name="Claire"
            )
            supervisors += Supervisor.objects.bulk_create(
                Supervisor(call=running, user=u, capacity=2) for u in users
            )
            if supervisors[-1].pk is None:
                supervisors = list(Supervisor.objects.filter(call=running).order_by("pk"))
        Team.objects.bulk_create(
            Team(
                call=running,
                commission=c,
                supervisor=supervisors[(have + i) // 2],
                locked=True,
                published_at=now,
            )
            for i, c in enumerate(commissions)
        )
        made = list(
            Team.objects.filter(call=running, commission__in=commissions)
            .select_related("commission")
            .order_by("pk")
        )
        users = _users(tag, "student", have * MEMBERS, new * MEMBERS, first_name="Étudiant·e")
        studies = ["Droit", "Psychologie", "Économie", "Sociologie"]
        Student.objects.bulk_create(
            Student(
                call=running,
                user=user,
                prior_studies=studies[n % len(studies)],
                languages=["fr"],
                team=made[n // MEMBERS],
            )
            for n, user in enumerate(users)
        )
        following.generate_milestones(running, teams=made)
        coordinator = running.programme.coordinators.get(pk=state["coordinator"])
        sample = Team.objects.filter(pk__in=[t.pk for t in made[::5]]).with_members()
        enrich(list(sample.order_by("pk")), coordinator)

    have = Commission.objects.filter(call=open_call).count()
    new = submissions - have
    if new > 0:
        institutions = _institutions(tag, counted, new, data["sector_ids"])
        statuses = [Commission.Status.SUBMITTED, Commission.Status.UNDER_REVIEW]
        commissions = _commissions(
            open_call,
            have,
            new,
            institutions,
            data,
            lambda n: statuses[n % 2],
            commitments=data["commitments"],
        )
        ReviewAssignment.objects.bulk_create(
            ReviewAssignment(commission=c, reviewer_id=r)
            for c in commissions
            for r in state["reviewers"]
        )
        criteria = list(
            Criterion.objects.filter(call=open_call, kind=Criterion.Kind.REVIEWER).order_by("pk")
        )
        Review.objects.bulk_create(
            Review(commission=c, reviewer_id=state["reviewers"][0], criterion=k, score=(n + j) % 5)
            for n, c in enumerate(commissions)
            if n % 2 == 0
            for j, k in enumerate(criteria)
        )
        Email.objects.bulk_create(
            Email(
                key=f"bench-confirmation-{c.pk}",
                kind="confirmation",
                to=c.contact_email,
                commission=c,
                call=open_call,
                subject=f"Votre commande {c.reference}",
                body="Merci pour votre commande.",
                status=Email.Status.SENT,
                sent_at=now,
                attempts=1,
            )
            for c in commissions
        )
    written(Commission, Team, Student, Review, Email)  # bulk inserts: no cached figure stays
    return {
        "teams": Team.objects.filter(call=running).count(),
        "students": Student.objects.filter(call=running).count(),
        "submissions": Commission.objects.filter(call=open_call).count(),
    }


def count_queries(paths, sessions):
    """SQL queries of one request of each page, through the whole middleware stack, after a
    first request has warmed the caches (as a served page is, but for its first visitor)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    result = {}
    for page, path in paths.items():
        client = Client(HTTP_HOST="127.0.0.1", headers={"X-Forwarded-Proto": "https"})
        for name, value in sessions[PAGES[page]].items():
            client.cookies[name] = value
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        result[page] = len(queries)
    return result


# ---------------------------------------------------------------- load generator


def _measure(server, path, cookies, requests, seconds, concurrency, expected=200):
    """Up to `requests` GETs by `concurrency` clients as fast as the server answers, no new one
    after `seconds`: (elapsed seconds, latencies, failures)."""
    lock = threading.Lock()
    left = [requests]
    latencies, failures = [], []
    start = time.perf_counter()
    limit = start + seconds

    def client():
        browser = server.browser()
        # A page of seconds under load is measured, not cut short at the browser's 30 s.
        browser.timeout = max(browser.timeout, 120.0)
        while not STOP.is_set():
            with lock:
                if left[0] <= 0 or time.perf_counter() > limit:
                    return
                left[0] -= 1
            browser.cookies = dict(cookies)  # the same visitor state for every request
            try:
                response = browser.request("GET", path)
            except Exception as exc:  # noqa: BLE001 - a connection failure is an error
                failures.append(f"{type(exc).__name__}: {exc}")
                continue
            latencies.append(response.ms)
            if response.status != expected:
                failures.append(f"HTTP {response.status}")

    in_threads(lambda _i: client(), range(concurrency), concurrency)
    return time.perf_counter() - start, latencies, failures


def _check(server, paths, sessions, marker):
    """Each page answers as expected (200: no redirect to the sign-in); the bytes of its HTML."""
    sizes = {}
    for page, path in paths.items():
        browser = server.browser()
        browser.cookies = dict(sessions[PAGES[page]])
        response = browser.request("GET", path)
        if response.status != EXPECTED_STATUS.get(page, 200):
            raise BenchError(f"bench: {page} ({path}) answers HTTP {response.status}")
        if page == "student_space" and response.headers.get("location") != paths["student_team"]:
            raise BenchError("bench: mon-espace does not lead the student to their team")
        if page == "student_team" and marker not in response.body:
            raise BenchError("bench: the team page does not show the signed-in student's team")
        sizes[page] = len(response.body.encode("utf-8"))
    return sizes


def _measure_sizes(server, sizes, requests, seconds, rounds, workers, concurrency):
    """Every page of every size, in rounds: within a round each page is measured at one size
    then the other (the order swapped each round), so that a drift of the machine over the
    minutes of a run weighs on both sizes alike. sizes: {size: (paths, sessions)}."""
    totals = {
        size: {page: {"seconds": 0.0, "latencies": [], "failures": []} for page in PAGES}
        for size in sizes
    }
    for paths, sessions in sizes.values():  # warm every worker on every page
        for page in PAGES:
            _measure(
                server,
                paths[page],
                sessions[PAGES[page]],
                2 * workers,
                seconds,
                workers,
                EXPECTED_STATUS.get(page, 200),
            )
    names, order = list(PAGES), list(sizes)
    for r in range(rounds):
        count = requests // rounds + (1 if r < requests % rounds else 0)
        # Rotate the pages each round: no page always runs first or last.
        for page in names[r % len(names) :] + names[: r % len(names)]:
            for size in order if r % 2 == 0 else order[::-1]:
                paths, sessions = sizes[size]
                elapsed, latencies, failures = _measure(
                    server,
                    paths[page],
                    sessions[PAGES[page]],
                    count,
                    seconds / rounds,
                    concurrency,
                    EXPECTED_STATUS.get(page, 200),
                )
                totals[size][page]["seconds"] += elapsed
                totals[size][page]["latencies"] += latencies
                totals[size][page]["failures"] += failures
    return totals


def _figures(totals, queries, sizes):
    rps = {p: len(t["latencies"]) / t["seconds"] if t["seconds"] else 0 for p, t in totals.items()}
    return {
        page: {
            "p50_ms": percentile(t["latencies"], 50),
            "p95_ms": percentile(t["latencies"], 95),
            "rps": round(rps[page], 1),
            "requests": len(t["latencies"]),
            "queries": queries[page],
            "bytes": sizes[page],
            "ratio_to_trivial": round(rps[page] / rps["trivial"], 3) if rps["trivial"] else None,
            "errors": len(t["failures"]),
        }
        for page, t in totals.items()
    }


def targets(pages):
    """The issue's targets on the figures; each with the pages that miss it."""

    def missing(names, ok):
        return [name for name in names if not ok(pages[name])]

    coordinator = missing(
        GROUPS["coordinator"],
        lambda p: (
            p["large"]["p95_ms"] is not None
            and p["large"]["p95_ms"] < COORDINATOR_P95_MS
            and p["growth"] is not None
            and p["growth"] <= COORDINATOR_GROWTH
        ),
    )
    signed_in = missing(
        GROUPS["signed_in"],
        lambda p: p["large"]["p95_ms"] is not None and p["large"]["p95_ms"] < SIGNED_IN_P95_MS,
    )
    public = missing(
        GROUPS["public"],
        lambda p: all(
            (p[size]["ratio_to_trivial"] or 0) >= PUBLIC_THROUGHPUT_RATIO
            for size in ("small", "large")
        ),
    )
    return {
        "coordinator": {
            "rule": f"large p95 < {COORDINATOR_P95_MS} ms and growth <= {COORDINATOR_GROWTH}",
            "met": not coordinator,
            "missed_by": coordinator,
        },
        "signed_in": {
            "rule": f"large p95 < {SIGNED_IN_P95_MS} ms",
            "met": not signed_in,
            "missed_by": signed_in,
        },
        "public": {
            "rule": f"throughput >= {PUBLIC_THROUGHPUT_RATIO:.0%} of the trivial view's",
            "met": not public,
            "missed_by": public,
        },
    }


def run_pages(
    small=(50, 20),
    large=(500, 2000),
    requests=100,
    seconds=10.0,
    rounds=2,
    workers=2,
    concurrency=4,
    use_database=None,
    log=lambda text: None,
):
    tag = f"{os.getpid()}-{secrets.token_hex(2)}"
    started = time.monotonic()
    measured, built, build_seconds = {}, {}, {}
    with (
        interruptible(),
        tempfile.TemporaryDirectory(prefix="mias-bench-pages-") as folder,
        scratch_database("bench_pages", use_database) as db,
    ):
        # Documents handed in go to the run's folder, never to the real private media.
        env = server_env(db.url, PRIVATE_MEDIA_ROOT=Path(folder) / "private")
        server_log = Path(folder) / "server.log"
        with (
            Agent(env, Path(folder) / "agent.log") as agent,
            Server(env, workers, server_log, folder) as server,  # boots while the agent works
        ):
            try:
                if db.migrate:
                    log(f"bench_pages: migrating a scratch {db.vendor} database…")
                    agent.migrate()
                data, checked = {}, {}
                for size, (teams, submissions) in (("small", small), ("large", large)):
                    log(f"bench_pages: building {teams} teams / {submissions} submissions…")
                    moment = time.monotonic()
                    data[size] = agent.run(
                        "devtools.management.commands.bench_pages.prepare_pages",
                        tag=f"{size[0]}{tag}",
                        teams=teams,
                        submissions=submissions,
                    )
                    built[size] = agent.run(
                        "devtools.management.commands.bench_pages.grow_pages",
                        state=data[size]["state"],
                        teams=teams,
                        submissions=submissions,
                    )
                    build_seconds[size] = round(time.monotonic() - moment, 1)
                server.wait_ready()
                for size, made in data.items():
                    checked[size] = _check(server, made["paths"], made["sessions"], made["marker"])
                log("bench_pages: measuring both sizes, in alternation…")
                totals = _measure_sizes(
                    server,
                    {size: (made["paths"], made["sessions"]) for size, made in data.items()},
                    requests,
                    seconds,
                    rounds,
                    workers,
                    concurrency,
                )
                for size, made in data.items():
                    queries = agent.run(
                        "devtools.management.commands.bench_pages.count_queries",
                        paths=made["paths"],
                        sessions=made["sessions"],
                    )
                    measured[size] = _figures(totals[size], queries, checked[size])
                    failures = [f for t in totals[size].values() for f in t["failures"]]
                    if failures:
                        log(f"bench_pages: {len(failures)} failures, e.g. {failures[:3]}")
                        log("bench_pages: server log (end):\n" + log_tail(server_log))
                paths = data["large"]["paths"]
            finally:
                forget_bench_state(agent)
    pages = {}
    for page, who in PAGES.items():
        s, g = measured["small"][page], measured["large"][page]
        growth = round(g["p50_ms"] / s["p50_ms"], 2) if s["p50_ms"] and g["p50_ms"] else None
        pages[page] = {"who": who, "path": paths[page], "small": s, "large": g, "growth": growth}
    return {
        "bench": "pages",
        "database": db.vendor,
        "workers": workers,
        "concurrency": concurrency,
        "sizes": {
            size: {
                "teams": built[size]["teams"],
                "students": built[size]["students"],
                "submissions": built[size]["submissions"],
            }
            for size in ("small", "large")
        },  # fmt: skip
        "requests_per_page": requests,
        "seconds_per_page": seconds,
        "ratio_to_trivial": "throughput: the page's requests per second / the trivial view's",
        "growth": "p50 large / p50 small",
        "pages": pages,
        "targets": targets(pages),
        "errors": sum(p[size]["errors"] for p in pages.values() for size in ("small", "large")),
        "build_seconds": build_seconds,
        "wall_seconds": round(time.monotonic() - started, 1),
    }
