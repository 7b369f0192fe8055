"""Server time and SQL queries of the follow-up dashboards, on a cohort of a chosen size.

A Django agent (devtools.benchserver) on a scratch database, with the production settings, builds a
running call of `--teams` published teams of `--students-per-team` students (two teams per
supervisor), halfway through the year: some documents handed in (some in two versions), some
milestones marked done, the institution's feedback on some teams, steps late, due soon and
upcoming. Then, in the agent, Django's test client (in-process: no network, no server) signs in
a student, their supervisor and a coordinator, and requests the student's team dashboard, the
coordinator's board, the supervisor's home and the institution's portal: a few warm-up
requests, one request counted with CaptureQueriesContext, then `--requests` timed ones each.

    python manage.py bench_dashboards [--teams 50] [--students-per-team 5] [--requests 200]

prints one JSON line: per page the median and 95th percentile of the time around client.get
(the whole middleware stack, template rendering included) and the queries of one request.
The times include Python's garbage collector: on the board of 50 teams, a full collection every
fifteen requests or so is most of the 95th percentile.
"""

from __future__ import annotations

import json
import os
import secrets
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from devtools.benchserver import (
    Agent,
    BenchError,
    add_database_argument,
    forget_bench_state,
    interruptible,
    percentile,
    scratch_database,
    server_env,
    synthetic_commission,
)

PAGES = ["student_dashboard", "coordinator_board", "supervisor_home", "institution_portal"]
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Command(BaseCommand):
    help = (
        "Server time (Django test client, in-process) and SQL queries of the student's team "
        "dashboard, the coordinator's board, the supervisor's home and the institution's portal "
        "on a synthetic cohort in a scratch database; prints JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--teams", type=int, default=50, help="published teams")
        parser.add_argument("--students-per-team", type=int, default=5)
        parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
        parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page")
        add_database_argument(parser)

    def handle(self, **options):
        if options["teams"] < 1 or options["students_per_team"] < 1 or options["requests"] < 1:
            raise CommandError("--teams, --students-per-team and --requests must be positive")
        if options["warmup"] < 0:
            raise CommandError("--warmup cannot be negative")
        try:
            result = run_dashboards(
                teams=options["teams"],
                students_per_team=options["students_per_team"],
                requests=options["requests"],
                warmup=options["warmup"],
                use_database=options["use_database"],
                log=lambda text: self.stderr.write(text),
            )
        except BenchError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result))


# ---------------------------------------------------------------- in the agent


def prepare_dashboards(tag, teams=50, students_per_team=5):
    """A running call halfway through the year and its published teams; the pages to request
    and who requests them (user ids; None: the institution, through its private link)."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from django.utils import timezone

    from commissions.models import AccessToken, Call, Commission, Institution
    from devtools.benchserver import seed_call
    from mias.signals import written
    from teams.follow import following
    from teams.models import Student, Supervisor, Team

    now = timezone.now()
    # The steps start 90 days after the deadline: presentation and clarification are past
    # (done or late), the report is due soon, the feedback, the orals and the end to come.
    deadline = now - timedelta(days=145)
    data = seed_call(tag, deadline.isoformat())
    call = Call.objects.select_related("programme").get(pk=data["call_id"])
    Call.objects.filter(pk=call.pk).update(
        opens_at=deadline - timedelta(days=60), status=Call.Status.RUNNING
    )
    coordinator = call.programme.coordinators.get()

    User = get_user_model()  # accounts without password: no PBKDF2 second each
    institutions = list(Institution.objects.order_by("pk")[:teams])
    supervisors = [
        Supervisor.objects.create(
            call=call,
            user=User.objects.create_user(
                f"sup{i}-{tag}", f"sup{i}-{tag}@uni.example", first_name=f"Claire {i}"
            ),
            capacity=2,
        )
        for i in range(teams // 2 + 1)
    ]
    made = []
    for i in range(teams):
        institution = institutions[i % len(institutions)]
        commission = synthetic_commission(
            call,
            institution,
            i,
            data,
            contact_email=f"contact{i}@{tag}.example",
            preferred_presentation_id=data["oral_ids"][i % len(data["oral_ids"])],
            status=Commission.Status.SELECTED,
        )
        commission.save()
        team = Team.objects.create(
            call=call, commission=commission, supervisor=supervisors[i // 2], locked=True
        )
        for j in range(students_per_team):
            n = i * students_per_team + j
            user = User.objects.create_user(
                f"student{n}-{tag}",
                f"student{n}-{tag}@uni.example",
                first_name=f"Étudiant·e {n}",
                last_name=f"Nom{n:04d}",
            )
            Student.objects.create(
                call=call,
                user=user,
                prior_studies=["Droit", "Psychologie", "Économie", "Sociologie"][n % 4],
                languages=["fr"],
                team=team,
            )
        made.append(team)
    Team.objects.filter(call=call).update(published_at=now)
    written(Call, Team)  # updates: no cached page or figure stays
    following.generate_milestones(call)

    enrich(list(Team.objects.filter(call=call).with_members().order_by("pk")), coordinator)

    first = made[0]
    student = first.members.order_by("pk").first()
    token = AccessToken.issue(first.commission)
    return {
        "students": Student.objects.filter(call=call).count(),
        "pages": {
            "student_dashboard": [student.user_id, reverse("teams:team", args=[first.pk])],
            "coordinator_board": [coordinator.pk, reverse("teams:follow", args=[call.slug])],
            "supervisor_home": [first.supervisor.user_id, reverse("teams:supervisor_home")],
            "institution_portal": [None, reverse("commissions:portal", args=[token])],
        },
        # Text each page must show: the request reached the page, not a sign-in or a 404.
        "markers": {
            "student_dashboard": "rapport-v2.pdf",
            "coordinator_board": first.commission.reference,
            "supervisor_home": first.commission.title,
            "institution_portal": "slides.pdf",
        },
    }


def _ms(values):
    return round(statistics.median(values), 3), percentile(values, 95, digits=3)


def time_dashboards(pages, markers, requests=200, warmup=5):
    """Per page: median and p95 milliseconds around client.get, and the queries of one
    request; a page that does not answer 200 with its marker stops the bench."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    User = get_user_model()
    result = {}
    for page, (user_id, path) in pages.items():
        client = Client(HTTP_HOST="127.0.0.1", headers={"X-Forwarded-Proto": "https"})
        if user_id is not None:
            client.force_login(User.objects.get(pk=user_id))
        response = client.get(path)  # the first visit (caches, the calendar feed's row)
        if response.status_code != 200 or markers[page] not in response.content.decode():
            raise BenchError(f"bench: {page} ({path}) answers HTTP {response.status_code}")
        for _ in range(warmup):
            client.get(path)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        count = len(queries)
        times, errors = [], 0
        for _ in range(requests):
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            errors += response.status_code != 200
        median, p95 = _ms(times)
        result[page] = {"median_ms": median, "p95_ms": p95, "queries": count, "errors": errors}
    return result


# ---------------------------------------------------------------- the bench


def run_dashboards(
    teams=50,
    students_per_team=5,
    requests=200,
    warmup=5,
    use_database=None,
    log=lambda text: None,
):
    tag = f"{os.getpid()}-{secrets.token_hex(2)}"
    started = time.monotonic()
    with (
        interruptible(),
        tempfile.TemporaryDirectory(prefix="mias-bench-dashboards-") as folder,
        scratch_database("bench_dashboards", use_database) as db,
    ):
        # The documents handed in go to the run's folder, never to the real private media.
        env = server_env(db.url, PRIVATE_MEDIA_ROOT=Path(folder) / "private")
        with Agent(env, Path(folder) / "agent.log") as agent:
            try:
                if db.migrate:
                    log(f"bench_dashboards: migrating a scratch {db.vendor} database…")
                    agent.migrate()
                built = time.monotonic()
                data = agent.run(
                    "devtools.management.commands.bench_dashboards.prepare_dashboards",
                    tag=tag,
                    teams=teams,
                    students_per_team=students_per_team,
                )
                setup_seconds = time.monotonic() - built
                timings = agent.run(
                    "devtools.management.commands.bench_dashboards.time_dashboards",
                    pages=data["pages"],
                    markers=data["markers"],
                    requests=requests,
                    warmup=warmup,
                )
            finally:
                forget_bench_state(agent)
    return {
        "teams": teams,
        "students": data["students"],
        "requests": requests,
        **{page: timings[page] for page in PAGES},
        "database": db.vendor,
        "setup_seconds": round(setup_seconds, 1),
        "wall_seconds": round(time.monotonic() - started, 1),
    }


def enrich(teams, coordinator):
    """A year under way on a share of the teams (the first has it all): documents in one or two
    versions, milestones done with a note, institution feedback. The query tests use it too."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from teams.follow import following

    for i, team in enumerate(teams):
        members = list(team.members.all())
        timeline = following.team_timeline(team)
        items = {m.key_date.kind: m for m in timeline}
        if i % 2 == 0:
            for version in range(1 + (i % 4 == 0)):
                following.add_deliverable(
                    items["report"],
                    SimpleUploadedFile(f"rapport-v{version + 1}.pdf", PDF),
                    members[version % len(members)].user,
                )
        if i % 3 == 0:
            following.add_deliverable(
                items["oral"], SimpleUploadedFile("slides.pdf", PDF), members[-1].user
            )
            following.set_done(items["presentation"], coordinator, note="Présentée.")
            following.set_done(items["clarification"], team.supervisor.user)
        if i % 4 == 0:
            following.save_feedback(
                team,
                {"usefulness": 4, "improve": "Plus de chiffres.", "comments": "Merci !"},
                timeline,
            )
