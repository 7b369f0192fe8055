"""Tiny runs of the server benches: gunicorn on loopback, a copy of the test database.

Each bench runs its server and its data agent in child processes, which cannot see the test
database's transactions, so they get a committed copy of the migrated test database (a SQLite
backup, or a PostgreSQL database created from it as a template): no 12–30 s migration per test.
"""

import json
import sqlite3
import time
from io import StringIO
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection, connections

pytest.importorskip("gunicorn", reason="gunicorn is not installed: the benches need it")

from devtools.management.commands.bench_email import KEYS as EMAIL_KEYS  # noqa: E402
from devtools.management.commands.bench_pages import PAGES  # noqa: E402
from devtools.management.commands.bench_rush import KEYS as RUSH_KEYS  # noqa: E402

# The mark makes pytest-django create the test database; the tests never query it themselves.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def bench_database_url(django_db_setup, django_db_blocker, tmp_path_factory):
    """A committed copy of the migrated test database (module scope: taken before any test
    transaction opens, and shared by both benches, whose rows never collide)."""
    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            path = tmp_path_factory.mktemp("bench") / "bench.sqlite3"
            connection.ensure_connection()
            copy = sqlite3.connect(path)
            connection.connection.backup(copy)
            copy.close()
            yield f"sqlite:///{path}"
            return
        if connection.vendor != "postgresql":
            pytest.skip(f"no bench database copy for {connection.vendor}")
        source = connection.settings_dict
        name = f"{source['NAME']}_bench"[:63]
        connections.close_all()  # a template database must have no other session
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            for attempt in range(20):
                try:
                    cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source["NAME"]}"')
                    break
                except OperationalError:  # a session (live server thread) still closing
                    if attempt == 19:
                        raise
                    time.sleep(0.5)
        auth = quote(source["USER"] or "", safe="")
        if source["PASSWORD"]:
            auth += ":" + quote(source["PASSWORD"], safe="")
        host = f"{source['HOST'] or '127.0.0.1'}:{source['PORT'] or 5432}"
        try:
            yield f"postgres://{auth}@{host}/{name}"
        finally:
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(command, *args):
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_bench_rush_stores_every_accepted_submission(bench_database_url):
    result = run(
        "bench_rush",
        "--submissions=6",
        "--seconds=2",
        "--after=2",
        "--invalid-ratio=0.34",
        # One visitor at a time: concurrent submissions race for the next reference
        # (Commission._next_reference), which the full-size bench measures; this checks the bench.
        "--concurrency=1",
        f"--use-database={bench_database_url}",
    )
    assert list(result) == RUSH_KEYS
    assert result["errors"] == 0
    assert result["unexpected"] == 0
    assert result["accepted"] == 6
    assert result["stored"] == result["accepted"]
    assert result["lost"] == 0
    assert result["refused_invalid"] == 2
    assert result["refused_after_deadline"] == 2
    assert result["sent"] == 10
    assert result["p50_ms"] > 0 and result["p95_ms"] >= result["p50_ms"]


def test_bench_pages_measures_every_page_at_both_sizes_against_the_trivial_view(
    bench_database_url,
):
    result = run(
        "bench_pages",
        "--small=2x3",
        "--large=4x6",
        "--requests=4",
        "--rounds=1",
        f"--use-database={bench_database_url}",
    )
    assert result["bench"] == "pages" and result["errors"] == 0
    assert result["sizes"]["small"] == {"teams": 2, "students": 10, "submissions": 3}
    assert result["sizes"]["large"] == {"teams": 4, "students": 20, "submissions": 6}
    assert set(result["pages"]) == set(PAGES)
    for name, page in result["pages"].items():
        for size in ("small", "large"):
            figures = page[size]
            assert figures["requests"] > 0 and 0 < figures["p50_ms"] <= figures["p95_ms"]
            assert type(figures["queries"]) is int and figures["ratio_to_trivial"] > 0
        assert page["growth"] > 0
        if name not in {"trivial", "student_space"}:  # mon-espace: a redirect to the team
            assert page["small"]["bytes"] > 1000
        if page["who"] != "public":  # with Redis, a cached public page needs no query
            assert page["small"]["queries"] > 0
    assert result["pages"]["trivial"]["small"]["queries"] == 0
    # More submissions, more rows in the review table.
    review = result["pages"]["review_table"]
    assert review["large"]["bytes"] > review["small"]["bytes"]
    assert {group: type(t["met"]) for group, t in result["targets"].items()} == {
        "coordinator": bool,
        "signed_in": bool,
        "public": bool,
    }


def test_bench_dashboards_times_the_follow_up_pages(bench_database_url):
    result = run(
        "bench_dashboards",
        "--teams=3",
        "--students-per-team=4",
        "--requests=5",
        "--warmup=1",
        f"--use-database={bench_database_url}",
    )
    assert result["teams"] == 3 and result["students"] == 12 and result["requests"] == 5
    for page in ("student_dashboard", "coordinator_board", "supervisor_home", "institution_portal"):
        timing = result[page]
        assert set(timing) == {"median_ms", "p95_ms", "queries", "errors"}
        assert type(timing["queries"]) is int and timing["queries"] > 0
        assert timing["errors"] == 0
        assert 0 < timing["median_ms"] <= timing["p95_ms"]


def test_bench_analytics_times_the_analytics_page(bench_database_url):
    result = run(
        "bench_analytics",
        "--years=2",
        "--submissions=12",
        "--requests=3",
        "--warmup=1",
        f"--use-database={bench_database_url}",
    )
    assert (result["years"], result["submissions_per_year"], result["requests"]) == (2, 12, 3)
    assert result["errors"] == 0 and type(result["queries"]) is int and result["queries"] > 0
    assert 0 < result["median_ms"] <= result["p95_ms"]


def test_bench_email_delivers_every_row_once_through_qcluster_into_smtp(bench_database_url):
    pytest.importorskip("aiosmtpd", reason="aiosmtpd (a dev extra) is the bench's SMTP sink")
    result = run(
        "bench_email",
        "--emails=12",
        "--batch=4",
        "--settle=0.5",
        "--timeout=90",
        f"--use-database={bench_database_url}",
    )
    assert list(result) == EMAIL_KEYS
    assert result["workers"] == 2
    assert result["rows"] == 12
    assert result["deliveries"] == 12
    assert result["duplicates"] == 0 and result["lost"] == 0
    assert result["left_queued"] == 0 and result["left_sending"] == 0
