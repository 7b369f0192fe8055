"""The outbox through the real queue into a real SMTP server: is every e-mail delivered once?

A scratch database (PostgreSQL when DATABASE_URL says so, else a temporary SQLite file), the
django-q2 cluster (`manage.py qcluster`, 2 workers by default; Redis when REDIS_URL is set,
else the ORM broker) and an SMTP sink (aiosmtpd on loopback) counting what arrives for each
address. Confirmation e-mails (each mints a private link) are queued in batches while the
cluster runs, as submissions would be. Prints one JSON line: rows, deliveries, duplicates,
lost, left queued, left sending, seconds.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from devtools.benchserver import (
    LOOPBACK,
    Agent,
    BenchError,
    _spawn,
    _stop,
    add_database_argument,
    forget_bench_state,
    free_port,
    interruptible,
    log_tail,
    scratch_database,
    server_env,
)

KEYS = [
    "database",
    "broker",
    "workers",
    "rows",
    "deliveries",
    "duplicates",
    "lost",
    "left_queued",
    "left_sending",
    "seconds",
]


class Sink:
    """An SMTP server on loopback that counts the messages received per recipient."""

    def __init__(self):
        self.counts = Counter()
        self.lock = threading.Lock()
        self.controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            for address in envelope.rcpt_tos:
                self.counts[address.lower()] += 1
        return "250 Message accepted for delivery"

    def __enter__(self):
        try:
            from aiosmtpd.controller import Controller
        except ImportError as exc:  # a dev extra
            raise CommandError('bench_email needs aiosmtpd: pip install -e ".[dev]"') from exc
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: a line per command
        self.controller = Controller(self, hostname=LOOPBACK, port=free_port())
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def port(self):
        return self.controller.port

    def total(self):
        with self.lock:
            return sum(self.counts.values())


class Command(BaseCommand):
    help = (
        "Outbox e-mails through qcluster into a loopback SMTP sink; prints rows, deliveries, "
        "duplicates, lost and left queued as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--emails", type=int, default=300, help="outbox rows to deliver")
        parser.add_argument("--batch", type=int, default=25, help="rows queued per batch")
        parser.add_argument("--workers", type=int, default=2, help="qcluster workers")
        parser.add_argument(
            "--timeout", type=float, default=300.0, help="seconds to wait for the deliveries"
        )
        parser.add_argument(
            "--settle",
            type=float,
            default=3.0,
            help="seconds to keep listening once every row is sent, for late duplicates",
        )
        add_database_argument(parser)

    def handle(self, *args, **options):
        if options["emails"] < 1 or options["workers"] < 1 or options["batch"] < 1:
            raise CommandError("--emails, --batch and --workers must be at least 1")
        try:
            with interruptible():
                result = self.run(options)
        except BenchError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result))

    def run(self, options):
        folder = Path(tempfile.mkdtemp(prefix="mias-bench-email-"))
        with scratch_database("email", options.get("use_database")) as db, Sink() as sink:
            env = server_env(
                db.url,
                EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                EMAIL_HOST=LOOPBACK,
                EMAIL_PORT=sink.port,
                EMAIL_USE_TLS="0",
                Q_WORKERS=options["workers"],
                SITE_URL="https://bench.example",
            )
            with Agent(env, folder / "agent.log") as agent:
                if db.migrate:
                    agent.migrate()
                try:
                    return self.measure(options, env, agent, sink, db, folder)
                finally:
                    forget_bench_state(agent)

    def measure(self, options, env, agent, sink, db, folder):
        tag = f"mail{os.getpid()}"
        seeded = agent.run(
            "devtools.benchserver.seed_call",
            tag=tag,
            deadline="2031-01-01T00:00:00+00:00",
            known_institutions=0,
            past_consultancies=0,
        )
        ids = agent.run(
            "devtools.management.commands.bench_email.make_commissions",
            call_id=seeded["call_id"],
            count=options["emails"],
            tag=tag,
        )
        log_path = folder / "qcluster.log"
        with open(log_path, "ab") as log:
            cluster = _spawn(
                [sys.executable, "manage.py", "qcluster"], env, stdout=log, stderr=log
            )
            try:
                start = time.monotonic()
                for i in range(0, len(ids), options["batch"]):
                    agent.run(
                        "devtools.management.commands.bench_email.queue_confirmations",
                        tag=tag,
                        ids=ids[i : i + options["batch"]],
                    )
                    if cluster.poll() is not None:
                        raise BenchError(f"qcluster exited:\n{log_tail(log_path)}")
                statuses, seconds = self.wait(options, agent, cluster, log_path, start, tag)
                time.sleep(options["settle"])
            finally:
                _stop(cluster, first=signal.SIGTERM, grace=5.0)
        counts = Counter(
            {address: sink.counts[address] for address in (contact(tag, i) for i in ids)}
        )
        return {
            "database": db.vendor,
            "broker": "redis" if env.get("REDIS_URL") else "orm",
            "workers": options["workers"],
            "rows": len(ids),
            "deliveries": sink.total(),
            "duplicates": sum(max(n - 1, 0) for n in counts.values()),
            "lost": sum(1 for n in counts.values() if n == 0),
            "left_queued": statuses.get("queued", 0) + statuses.get("failed", 0),
            "left_sending": statuses.get("sending", 0),
            "seconds": round(seconds, 1),
        }

    def wait(self, options, agent, cluster, log_path, start, tag):
        """Until every row is sent (or the timeout); the statuses and the time it took."""
        limit = start + options["timeout"]
        path = "devtools.management.commands.bench_email.statuses"
        while True:
            statuses = agent.run(path, tag=tag)
            seconds = time.monotonic() - start
            if statuses.get("sent", 0) >= options["emails"] or time.monotonic() > limit:
                return statuses, seconds
            if cluster.poll() is not None:
                raise BenchError(f"qcluster exited:\n{log_tail(log_path)}")
            time.sleep(0.5)


def contact(tag, index):
    return f"contact-{index}@{tag}.bench.example"


# ---------------------------------------------------------------- run in the agent


def make_commissions(call_id, count, tag):
    """`count` commissions of distinct institutions and contacts; their indexes."""
    from commissions.models import (
        Call,
        Commission,
        CommissionType,
        Institution,
        InterventionContext,
        Sector,
    )

    call = Call.objects.get(pk=call_id)
    sector = Sector.objects.order_by("pk").first()
    kind = CommissionType.objects.order_by("pk").first()
    context = InterventionContext.objects.order_by("pk").first()
    institutions = Institution.objects.bulk_create(
        Institution(
            name=f"Institution {tag} {i}",
            legal_form="asbl",
            sector=sector,
            address=f"Rue {i}",
            city="Namur",
        )
        for i in range(count)
    )
    for i, institution in enumerate(institutions):
        Commission.objects.create(
            call=call,
            institution=institution,
            contact_name=f"Contact {i}",
            contact_role="Direction",
            contact_email=contact(tag, i),
            contact_phone="081 00 00 00",
            title=f"Question {i}",
            question="Comment mieux accompagner notre public ?",
            context="Contexte",
            expected_outcome="Des pistes",
            sector=sector,
            commission_type=kind,
            intervention_context=context,
            languages=["fr"],
        )
    return list(range(count))


def queue_confirmations(tag, ids):
    """One confirmation e-mail (with its private link) per commission, as a submission does."""
    from django.db import OperationalError, transaction

    from commissions.models import Commission
    from commissions.outbox.mail import queue_email

    commissions = Commission.objects.filter(contact_email__in=[contact(tag, i) for i in ids])
    for commission in commissions:
        for attempt in range(20):  # a database that refuses writes is measured, not fatal
            try:
                with transaction.atomic():  # like a submission: the task is queued on commit
                    queue_email(
                        f"bench:{commission.pk}",
                        "confirmation",
                        commission.contact_email,
                        "fr",
                        commission,
                    )
                break
            except OperationalError:
                if attempt == 19:
                    raise
                time.sleep(0.25)
    return len(commissions)


def statuses(tag):
    from django.db.models import Count

    from commissions.models import Email

    rows = (
        Email.objects.filter(to__endswith=f"@{tag}.bench.example")
        .values("status")
        .annotate(n=Count("pk"))
    )
    return {row["status"]: row["n"] for row in rows}
