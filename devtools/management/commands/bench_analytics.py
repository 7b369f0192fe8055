"""Server time and SQL queries of the analytics page, at many years of history.

An agent (devtools.benchserver) on a scratch database, with the production settings, builds
`--years` finished years of `--submissions` submissions each (devtools.demo.history: reviews,
rankings, teams, milestones, feedback), then Django's test client (in-process) signs in the
programme's coordinator and requests the analytics page over every year: a few warm-up
requests, one counted with CaptureQueriesContext, then `--requests` timed ones.

    python manage.py bench_analytics [--years 10] [--submissions 200] [--requests 50]

prints one JSON line: median and 95th percentile milliseconds, the queries of one request.
"""

import json
import os
import secrets
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from devtools.benchserver import (
    Agent,
    BenchError,
    add_database_argument,
    forget_bench_state,
    interruptible,
    scratch_database,
    server_env,
)


def prepare_analytics(tag, years=10, submissions=200):
    """The programme's history and the page to request, by whom (in the agent)."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from commissions.models import CommissionType, InterventionContext, Programme, Sector
    from commissions.roles import make_coordinator
    from devtools.demo.history import build_history

    for i, name in enumerate(
        ["CPAS", "Logement", "Santé mentale", "Aide à la jeunesse", "Alphabétisation",
         "Handicap", "Insertion", "Migration"]
    ):  # fmt: skip
        Sector.objects.get_or_create(name=name, defaults={"order": i})
    for name in ["Une question", "Un problème à résoudre", "Une évaluation", "Une faisabilité"]:
        CommissionType.objects.get_or_create(name=name)
    for name in ["Résidentiel", "Travail de rue", "Réseau", "Ambulatoire"]:
        InterventionContext.objects.get_or_create(name=name)
    programme = Programme.objects.create(
        name=f"Bench {tag}", short_name="BENCH", slug=f"bench-{tag}"[:50]
    )
    coordinator = get_user_model().objects.create_user(f"coord-{tag}", f"coord-{tag}@x.example")
    make_coordinator(coordinator, programme)
    started = time.monotonic()
    build_history(programme, 2014, years, per_year=submissions, prefix=tag)
    return {
        "build_seconds": round(time.monotonic() - started, 1),
        "pages": {
            "analytics": [coordinator.pk, reverse("insights:analytics", args=[programme.slug])]
        },
        "markers": {"analytics": "<svg"},
    }


class Command(BaseCommand):
    help = (
        "Server time (Django test client, in-process) and SQL queries of the analytics page "
        "over years of synthetic history in a scratch database; prints JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=10)
        parser.add_argument("--submissions", type=int, default=200, help="per year")
        parser.add_argument("--requests", type=int, default=50, help="timed requests")
        parser.add_argument("--warmup", type=int, default=3)
        add_database_argument(parser)

    def handle(self, **options):
        if min(options["years"], options["submissions"], options["requests"]) < 1:
            raise CommandError("--years, --submissions and --requests must be positive")
        if options["warmup"] < 0:
            raise CommandError("--warmup cannot be negative")
        tag = f"{os.getpid()}-{secrets.token_hex(2)}"
        started = time.monotonic()
        try:
            with (
                interruptible(),
                tempfile.TemporaryDirectory(prefix="mias-bench-analytics-") as folder,
                scratch_database("bench_analytics", options["use_database"]) as db,
            ):
                with Agent(server_env(db.url), Path(folder) / "agent.log") as agent:
                    try:
                        if db.migrate:
                            self.stderr.write(f"bench_analytics: migrating a {db.vendor} db…")
                            agent.migrate()
                        data = agent.run(
                            "devtools.management.commands.bench_analytics.prepare_analytics",
                            tag=tag,
                            years=options["years"],
                            submissions=options["submissions"],
                        )
                        timings = agent.run(
                            "devtools.management.commands.bench_dashboards.time_dashboards",
                            pages=data["pages"],
                            markers=data["markers"],
                            requests=options["requests"],
                            warmup=options["warmup"],
                        )
                    finally:
                        forget_bench_state(agent)
        except BenchError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            json.dumps(
                {
                    "years": options["years"],
                    "submissions_per_year": options["submissions"],
                    "requests": options["requests"],
                    **timings["analytics"],
                    "database": db.vendor,
                    "build_seconds": data["build_seconds"],
                    "wall_seconds": round(time.monotonic() - started, 1),
                }
            )
        )
