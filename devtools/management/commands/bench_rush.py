"""Deadline rush: many institutions submit at once against the production server.

Starts gunicorn on a free loopback port (PostgreSQL when DATABASE_URL says so, else a temporary
SQLite file), opens a call whose deadline falls just after the rush window, and lets visitors
(one cookie jar each) fetch the form and submit it: valid submissions, invalid ones, and late
ones that opened the form in time but post after the deadline. Arrivals are evenly spread, or
with --shape ramp ever faster up to the deadline, as on a real last evening. Prints one JSON line.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import secrets
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from devtools.benchserver import (
    CITIES,
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
    pseudo_name,
    scratch_database,
    server_env,
    sleep_until,
)

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FIELD_NAME = re.compile(r'name="([^"]+)"')
CLOSED_MARK = 'href="/commande/lien/"'  # the closed page offers "send me my link again"
MATCH_MARK = 'name="institution_match"'  # the form asks "did you mean…?"
INVALID_MARK = "is-invalid"


class Command(BaseCommand):
    help = (
        "Deadline rush on the production server (gunicorn on loopback): valid, invalid and late "
        "submissions; prints sent, accepted, stored, refused, errors and latencies as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--submissions", type=int, default=200, help="valid submissions before the deadline"
        )
        parser.add_argument("--seconds", type=float, default=30.0, help="length of the rush")
        parser.add_argument(
            "--invalid-ratio",
            type=float,
            default=0.2,
            help="invalid submissions (missing fields) per valid one",
        )
        parser.add_argument(
            "--after",
            type=int,
            default=10,
            help="submissions posted after the deadline (form opened before it)",
        )
        add_server_arguments(parser, concurrency=8, who="visitors")
        parser.add_argument(
            "--shape",
            choices=["uniform", "ramp"],
            default="uniform",
            help="arrivals evenly spread, or ever faster up to the deadline (twice the mean rate)",
        )
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, **options):
        if options["submissions"] < 1 or options["seconds"] <= 0:
            raise CommandError("--submissions and --seconds must be positive")
        check_server_arguments(options)
        if options["invalid_ratio"] < 0 or options["after"] < 0:
            raise CommandError("--invalid-ratio and --after cannot be negative")
        try:
            result = run_rush(
                submissions=options["submissions"],
                seconds=options["seconds"],
                invalid_ratio=options["invalid_ratio"],
                after=options["after"],
                workers=options["workers"],
                concurrency=options["concurrency"],
                shape=options["shape"],
                seed=options["seed"],
                use_database=options["use_database"],
                log=lambda text: self.stderr.write(text),
            )
        except BenchError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result))


# ---------------------------------------------------------------- in the agent


def stored_titles(call_id):
    from commissions.models import Commission

    return list(Commission.objects.filter(call_id=call_id).values_list("title", flat=True))


# ---------------------------------------------------------------- load generator


@dataclass
class Visit:
    kind: str  # "valid", "invalid" or "late"
    payload: dict
    at: float  # monotonic time it starts
    latencies: list = field(default_factory=list)  # (what, ms)
    outcome: str = ""
    detail: str = ""
    lag_ms: float = 0.0
    posts: int = 0
    accepted: bool = False  # redirected to "thank you": stored, whatever happens next
    browser: object = None
    token: str = ""


def payload_for(index, kind, data, tag, rng):
    payload = {
        "institution_name": pseudo_name(rng, 3),
        "legal_form": "asbl",
        "sector": rng.choice(data["sector_ids"]),
        "address": f"Rue de la Gare {index + 1}",
        "postal_code": "5000",
        "city": rng.choice(CITIES),
        "website": "",
        "contact_name": f"Personne {index}",
        "contact_role": "Directrice",
        "contact_email": f"contact{index}@inst-{tag}.example",
        "contact_phone": "+32 81 00 00 00",
        "title": f"Rush {tag} n°{index:04d}",
        "question": "Comment réduire le non-recours aux droits de notre public ? " * 3,
        "context": "Notre service accueille chaque année plus de personnes. " * 6,
        "commission_type": rng.choice(data["type_ids"]),
        "intervention_context": rng.choice(data["context_ids"]),
        "expected_outcome": "Un diagnostic et des recommandations concrètes.",
        "resources": "Des entretiens avec l'équipe, des statistiques anonymisées.",
        "languages": ["fr"],
        "consent": "on",
        "nickname": "",
    }
    if data["oral_ids"]:
        payload["preferred_presentation"] = rng.choice(data["oral_ids"])
    for name in data["commitments"]:
        payload[name] = "on"
    if kind == "invalid":
        # What a hurried person sends: required parts missing, a mistyped address.
        for name in ("title", "question", "consent", data["commitments"][0]):
            payload.pop(name, None)
        payload["contact_email"] = "pas-une-adresse"
    return payload


def _record(visit, what, call):
    """Run one request: its response, or None after a 5xx or a connection failure (errors)."""
    try:
        response = call()
    except Exception as exc:  # noqa: BLE001 - a connection failure is a measured error
        visit.outcome, visit.detail = "error", f"{what}: {type(exc).__name__}: {exc}"
        return None
    visit.latencies.append((what, response.ms))
    if response.status >= 500:
        visit.outcome, visit.detail = "error", f"{what}: HTTP {response.status}"
        return None
    return response


def _open_form(visit, server, path):
    visit.browser = server.browser()
    response = _record(visit, "form", lambda: visit.browser.request("GET", path))
    if response is None:
        return False
    found = TOKEN.search(response.body)
    if response.status != 200 or not found:
        visit.outcome, visit.detail = "unexpected", f"form: HTTP {response.status}"
        return False
    visit.token = found.group(1)
    return True


def _submit(visit, path):
    data = {**visit.payload, "csrfmiddlewaretoken": visit.token}
    visit.posts += 1
    response = _record(visit, "submit", lambda: visit.browser.request("POST", path, data))
    if response is None:
        return
    if visit.kind == "valid" and response.status == 200 and MATCH_MARK in response.body:
        # "Did you mean…?": answer "a different institution", as a person would.
        data["institution_match"] = "new"
        response = _record(visit, "submit", lambda: visit.browser.request("POST", path, data))
        if response is None:
            return
    location = response.headers.get("location", "")
    if response.status == 302 and "/merci/" in location:
        visit.outcome, visit.accepted = "accepted", True
        thanks = _record(visit, "thanks", lambda: visit.browser.request("GET", location))
        if thanks is None:
            return
        if thanks.status != 200:
            visit.outcome, visit.detail = "unexpected", f"thanks: HTTP {thanks.status}"
    elif response.status == 403 and CLOSED_MARK in response.body:
        visit.outcome = "refused_after_deadline"
    elif visit.kind == "invalid" and response.status == 200 and INVALID_MARK in response.body:
        visit.outcome = "refused_invalid"
    else:
        visit.outcome, visit.detail = "unexpected", f"submit: HTTP {response.status}"


def _before_deadline(visit, server, path):
    if not sleep_until(visit.at):
        visit.outcome = "cancelled"
        return visit
    visit.lag_ms = max(0.0, (time.monotonic() - visit.at) * 1000)
    if _open_form(visit, server, path) and visit.kind != "late":
        _submit(visit, path)
    return visit


def _check_fields(server, path, payload):
    """Fail early, and clearly, when the form no longer has the fields the bench fills in."""
    browser = server.browser()
    response = browser.request("GET", path)
    if response.status != 200:
        raise BenchError(f"bench: the form answers HTTP {response.status}")
    missing = set(payload) - set(FIELD_NAME.findall(response.body))
    if missing:
        raise BenchError(f"bench: the form has no field {sorted(missing)}")


def _warm_up(server, path, data, tag, workers):
    # Every worker imports, compiles templates and connects once before the clock starts;
    # invalid posts exercise validation without storing anything.
    rng = random.Random(-1)

    def one(i):
        visit = Visit("invalid", payload_for(10_000 + i, "invalid", data, tag, rng), 0)
        if _open_form(visit, server, path):
            _submit(visit, path)
        return visit

    return in_threads(one, range(3 * workers), workers)


def _rush(server, agent, data, tag, rng, counts, seconds, margin, concurrency, shape):
    """Visitors arrive over `seconds`; the deadline follows `margin` seconds later."""
    submissions, invalid, after = counts
    kinds = ["valid"] * submissions + ["invalid"] * invalid + ["late"] * after
    rng.shuffle(kinds)
    clock, wall = time.monotonic(), time.time()
    start = clock + 0.5
    deadline = start + seconds + margin
    agent.run(
        "devtools.benchserver.set_deadline",
        call_id=data["call_id"],
        deadline=datetime.fromtimestamp(wall + deadline - clock, UTC).isoformat(),
    )
    if time.monotonic() > start:
        raise BenchError("bench: setting the deadline took longer than the lead time")
    n = len(kinds)
    if shape == "ramp":
        # Arrivals ever faster up to the deadline (twice the mean rate at the end): T·sqrt(k/n).
        offsets = [seconds * math.sqrt(k / n) for k in range(n)]
    else:
        offsets = [seconds * k / n for k in range(n)]
    visits = [
        Visit(kind, payload_for(k, kind, data, tag, rng), start + offset)
        for k, (kind, offset) in enumerate(zip(kinds, offsets, strict=True))
    ]
    path = data["submit_path"]
    return in_threads(lambda v: _before_deadline(v, server, path), visits, concurrency), deadline


def _after_deadline(visits, path, deadline, concurrency):
    """The late visitors opened the form in time; they press "submit" once it has passed."""
    late = [v for v in visits if v.kind == "late" and v.token]
    if sleep_until(deadline + 0.3):
        in_threads(lambda v: _submit(v, path), late, concurrency)


def _summary(visits, titles, vendor, workers, concurrency, seconds):
    outcomes = Counter(v.outcome for v in visits)
    accepted = {v.payload["title"] for v in visits if v.accepted}
    every = [ms for v in visits for _what, ms in v.latencies]
    posts = [ms for v in visits for what, ms in v.latencies if what == "submit"]
    return {
        "bench": "rush",
        "database": vendor,
        "workers": workers,
        "concurrency": concurrency,
        "seconds": seconds,
        "sent": sum(v.posts for v in visits),
        "accepted": len(accepted),
        "stored": len(titles),
        "lost": len(accepted - titles),
        "refused_invalid": outcomes["refused_invalid"],
        "refused_after_deadline": outcomes["refused_after_deadline"],
        "unexpected": outcomes["unexpected"],
        "errors": outcomes["error"],
        "requests": len(every),
        "p50_ms": percentile(every, 50),
        "p95_ms": percentile(every, 95),
        "submit_p50_ms": percentile(posts, 50),
        "submit_p95_ms": percentile(posts, 95),
        "max_ms": percentile(every, 100),
        "max_start_lag_ms": round(max((v.lag_ms for v in visits), default=0.0), 1),
    }


KEYS = [
    "bench",
    "database",
    "workers",
    "concurrency",
    "shape",
    "seconds",
    "submissions",
    "invalid",
    "after",
    "sent",
    "accepted",
    "stored",
    "lost",
    "refused_invalid",
    "refused_after_deadline",
    "unexpected",
    "errors",
    "requests",
    "p50_ms",
    "p95_ms",
    "submit_p50_ms",
    "submit_p95_ms",
    "max_ms",
    "max_start_lag_ms",
    "wall_seconds",
    "target_met",
]


def run_rush(
    submissions=200,
    seconds=30.0,
    invalid_ratio=0.2,
    after=10,
    workers=2,
    concurrency=8,
    shape="uniform",
    seed=0,
    use_database=None,
    log=lambda text: None,
):
    tag = f"{os.getpid()}-{secrets.token_hex(2)}"
    # Per run, so that a reused database (--use-database) never holds these names already.
    rng = random.Random(f"{seed}:{tag}")
    counts = (submissions, round(submissions * invalid_ratio), after)
    margin = max(1.0, 0.1 * seconds)  # between the last arrival and the deadline
    started = time.monotonic()
    visits = []
    with (
        interruptible(),
        tempfile.TemporaryDirectory(prefix="mias-bench-rush-") as folder,
        scratch_database("bench_rush", use_database) as db,
    ):
        # One address sends everything: the per-address limit must not be what is measured.
        env = server_env(db.url, RATE_LIMIT_SUBMISSIONS=10**6, RATE_LIMIT_WINDOW=600)
        server_log = Path(folder) / "server.log"
        with (
            Agent(env, Path(folder) / "agent.log") as agent,
            Server(env, workers, server_log, folder) as server,  # boots while the agent works
        ):
            if db.migrate:
                log(f"bench_rush: migrating a scratch {db.vendor} database…")
                agent.migrate()
            far = (datetime.now(UTC) + timedelta(days=1)).isoformat()
            data = agent.run("devtools.benchserver.seed_call", tag=tag, deadline=far, seed=seed)
            path = data["submit_path"]
            try:
                server.wait_ready()
                _check_fields(server, path, payload_for(0, "valid", data, tag, rng))
                _warm_up(server, path, data, tag, workers)
                visits, deadline = _rush(
                    server, agent, data, tag, rng, counts, seconds, margin, concurrency, shape
                )
                _after_deadline(visits, path, deadline, concurrency)
            finally:
                forget_bench_state(agent)
            titles = set(
                agent.run(
                    "devtools.management.commands.bench_rush.stored_titles",
                    call_id=data["call_id"],
                )
            )
        result = _summary(visits, titles, db.vendor, workers, concurrency, seconds)
        result.update(
            submissions=submissions,
            invalid=counts[1],
            after=after,
            shape=shape,
            wall_seconds=round(time.monotonic() - started, 1),
        )
        result["target_met"] = (
            result["accepted"] == submissions
            and result["stored"] == result["accepted"]
            and result["lost"] == 0
            and result["errors"] == 0
            and result["unexpected"] == 0
            and result["refused_after_deadline"] == after
            and (result["p95_ms"] or 0) < 300
        )
        if result["errors"] or result["unexpected"]:
            details = Counter(v.detail for v in visits if v.detail)
            log(f"bench_rush: problems {dict(details.most_common(8))}")
            log("bench_rush: server log (end):\n" + log_tail(server_log))
    return {key: result[key] for key in KEYS}
