"""Throughput of the public and student pages against a minimal Django view, same server, same run.

Starts gunicorn on a free loopback port with the production settings plus a minimal view
(devtools.bench_settings), builds a call with its Wagtail page and a published team with a signed-in
student, then measures requests per second of the call page, the form page and the student's
team page, interleaved with the minimal view in rounds so that drift hits them all alike.
Prints one JSON line: rps per page, the ratios to the minimal view, and, from the agent, the SQL
queries and in-process milliseconds of one request of each page (where the time goes).
"""

from __future__ import annotations

import json
import os
import secrets
import statistics
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
)

PAGES = ["minimal", "call_page", "form", "team"]
TARGET_RATIO = 0.5


class Command(BaseCommand):
    help = (
        "Requests per second of the call page, the form and the student's team page against a "
        "minimal Django view on the production server (gunicorn on loopback); prints JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--requests", type=int, default=600, help="measured requests per page (all rounds)"
        )
        parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
        add_server_arguments(parser, concurrency=4, who="clients")

    def handle(self, **options):
        if options["requests"] < 1 or options["rounds"] < 1:
            raise CommandError("--requests and --rounds must be positive")
        check_server_arguments(options)
        try:
            result = run_pages(
                requests=options["requests"],
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


def prepare_pages(tag, members=5):
    """The call with its Wagtail page, and one published team whose first student is signed in."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.urls import reverse
    from django.utils import timezone
    from wagtail.models import Locale, Page, Site

    from cms.models import CallPage, HomePage
    from commissions.models import Call, Commission, Institution
    from devtools.benchserver import seed_call
    from teams.models import Student, Supervisor, Team

    deadline = (timezone.now() + timedelta(days=30)).isoformat()
    data = seed_call(tag, deadline)
    call = Call.objects.select_related("programme").get(pk=data["call_id"])

    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
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
        defaults={"hostname": "127.0.0.1", "port": 80, "root_page": home, "site_name": "Bench"},
    )
    paragraph = (
        "<p>Le Master en ingénierie et action sociales propose aux institutions du secteur "
        "non-marchand de confier une question réelle à une équipe de cinq étudiant·es, "
        "accompagnée par un·e accompagnateur·rice méthodologique, d'octobre à mai.</p>"
    )
    page = home.add_child(
        instance=CallPage(
            title=call.title,
            slug=f"appel-{tag}",
            call=call,
            intro=paragraph,
            body=paragraph * 6,
            closing=paragraph,
        )
    )

    User = get_user_model()  # accounts without password: no PBKDF2 second each
    institution = Institution.objects.order_by("pk").first()
    commission = Commission.objects.create(
        call=call,
        institution=institution,
        contact_name="Marie Dupont",
        contact_role="Directrice",
        contact_email=f"marie@{tag}.example",
        contact_phone="+32 81 00 00 00",
        title="Absentéisme des apprenant·es",
        question="Comment réduire l'absentéisme dans nos groupes ?",
        context="Nos groupes perdent un tiers des apprenant·es en cours d'année.",
        expected_outcome="Des recommandations concrètes.",
        sector=institution.sector,
        commission_type_id=data["type_ids"][0],
        intervention_context_id=data["context_ids"][0],
        languages=["fr"],
        status=Commission.Status.SELECTED,
    )
    sup_user = User.objects.create_user(f"sup-{tag}", f"sup-{tag}@uni.example", first_name="Claire")
    supervisor = Supervisor.objects.create(call=call, user=sup_user, capacity=2)
    team = Team.objects.create(
        call=call, commission=commission, supervisor=supervisor, published_at=timezone.now()
    )
    students = []
    for i in range(members):
        user = User.objects.create_user(
            f"student{i}-{tag}",
            f"student{i}-{tag}@uni.example",
            first_name=f"Étudiant·e {i}",
            last_name=f"Nom{i:02d}",
        )
        students.append(
            Student.objects.create(
                call=call, user=user, prior_studies="Sociologie", languages=["fr"], team=team
            )
        )
    # A signed-in student: the session the login view would have created.
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    user = students[0].user
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {
        "paths": {
            "minimal": MINIMAL_PATH,
            "call_page": page.get_url(),
            "form": data["submit_path"],
            "team": reverse("teams:team", args=[team.pk]),
        },
        "session": {settings.SESSION_COOKIE_NAME: session.session_key},
        "marker": user.last_name,
    }


def profile_pages(paths, session, repeat=5):
    """SQL queries and in-process milliseconds (wall, CPU) of each page, through the whole
    middleware stack, in the agent: where a page's time goes, apart from the network."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", headers={"X-Forwarded-Proto": "https"})
    for name, value in session.items():
        client.cookies[name] = value
    result = {}
    for page, path in paths.items():
        client.get(path)  # first hit: caches, template loading
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        count = len(queries)  # now: the next request resets the query log
        times, cpu = [], []
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        result[page] = {
            "queries": count,
            "ms": round(statistics.median(times), 2),
            # CPU of this process only: what the page costs a worker, whatever else runs.
            "cpu_ms": round(statistics.median(cpu), 2),
        }
    return result


# ---------------------------------------------------------------- load generator


def _measure(server, path, cookies, requests, concurrency):
    """`requests` GETs by `concurrency` clients as fast as the server answers."""
    lock = threading.Lock()
    left = [requests]
    latencies, failures = [], []

    def client():
        browser = server.browser()
        while not STOP.is_set():
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            browser.cookies = dict(cookies)  # the same visitor state for every request
            try:
                response = browser.request("GET", path)
            except Exception as exc:  # noqa: BLE001 - a connection failure is an error
                failures.append(f"{type(exc).__name__}: {exc}")
                continue
            latencies.append(response.ms)
            if response.status != 200:
                failures.append(f"HTTP {response.status}")

    start = time.perf_counter()
    in_threads(lambda _i: client(), range(concurrency), concurrency)
    elapsed = time.perf_counter() - start
    return elapsed, latencies, failures


def _check_pages(server, paths, session, marker):
    for page, path in paths.items():
        browser = server.browser()
        if page == "team":
            browser.cookies = dict(session)
        response = browser.request("GET", path)
        if response.status != 200:
            raise BenchError(f"bench: {page} ({path}) answers HTTP {response.status}")
        if page == "team" and marker not in response.body:
            raise BenchError("bench: the team page does not show the signed-in student's team")


def run_pages(
    requests=600, rounds=3, workers=2, concurrency=4, use_database=None, log=lambda text: None
):
    tag = f"{os.getpid()}-{secrets.token_hex(2)}"
    started = time.monotonic()
    per_round = [requests // rounds + (1 if r < requests % rounds else 0) for r in range(rounds)]
    totals = {
        page: {"seconds": 0.0, "requests": 0, "latencies": [], "failures": []} for page in PAGES
    }
    with (
        interruptible(),
        tempfile.TemporaryDirectory(prefix="mias-bench-pages-") as folder,
        scratch_database("bench_pages", use_database) as db,
    ):
        env = server_env(db.url)
        server_log = Path(folder) / "server.log"
        with (
            Agent(env, Path(folder) / "agent.log") as agent,
            Server(env, workers, server_log, folder) as server,  # boots while the agent works
        ):
            if db.migrate:
                log(f"bench_pages: migrating a scratch {db.vendor} database…")
                agent.migrate()
            data = agent.run("devtools.management.commands.bench_pages.prepare_pages", tag=tag)
            paths, session = data["paths"], data["session"]
            try:
                server.wait_ready()
                _check_pages(server, paths, session, data["marker"])
                for page in PAGES:  # warm every worker on every page
                    cookies = session if page == "team" else {}
                    _measure(server, paths[page], cookies, 3 * workers, workers)
                for r, count in enumerate(per_round):
                    # Rotate the order each round: no page always runs first or last.
                    for page in PAGES[r % len(PAGES) :] + PAGES[: r % len(PAGES)]:
                        cookies = session if page == "team" else {}
                        elapsed, latencies, failures = _measure(
                            server, paths[page], cookies, count, concurrency
                        )
                        total = totals[page]
                        total["seconds"] += elapsed
                        total["requests"] += count
                        total["latencies"] += latencies
                        total["failures"] += failures
            finally:
                forget_bench_state(agent)
            profile = agent.run(
                "devtools.management.commands.bench_pages.profile_pages",
                paths=paths,
                session=session,
            )
        rps = {page: round(t["requests"] / t["seconds"], 1) for page, t in totals.items()}
        ratio = {page: round(rps[page] / rps["minimal"], 3) for page in PAGES if page != "minimal"}
        errors = sum(len(t["failures"]) for t in totals.values())
        if errors:
            log(f"bench_pages: failures {[t['failures'][:3] for t in totals.values()]}")
            log("bench_pages: server log (end):\n" + log_tail(server_log))
        return {
            "bench": "pages",
            "database": db.vendor,
            "workers": workers,
            "concurrency": concurrency,
            "requests": requests,
            "rounds": rounds,
            "paths": paths,
            "rps": rps,
            "ratio": ratio,
            "p50_ms": {page: percentile(t["latencies"], 50) for page, t in totals.items()},
            "p95_ms": {page: percentile(t["latencies"], 95) for page, t in totals.items()},
            "queries": {page: p["queries"] for page, p in profile.items()},
            "in_process_ms": {page: p["ms"] for page, p in profile.items()},
            "in_process_cpu_ms": {page: p["cpu_ms"] for page, p in profile.items()},
            "errors": errors,
            "wall_seconds": round(time.monotonic() - started, 1),
            "target_met": errors == 0 and min(ratio.values()) >= TARGET_RATIO,
        }
