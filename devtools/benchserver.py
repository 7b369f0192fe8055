"""Loopback benchmarks of the real server: a scratch database, a Django agent, gunicorn, a client.

The bench commands never touch the scratch database from their own process (under pytest that
process is bound to the test database): a child process, the *agent*
(`python -m devtools.benchserver agent`), migrates it, builds the synthetic data and reads the
results back, over JSON lines.
Every child is started in its own process group and killed on the way out, whatever happens.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
PROTOCOL = "@@bench "
MINIMAL_PATH = "/__bench__/minimal/"


def add_server_arguments(parser, concurrency, who):
    """The options every bench on the real server takes."""
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--concurrency", type=int, default=concurrency, help=f"simultaneous {who}")
    add_database_argument(parser)


def add_database_argument(parser):
    parser.add_argument(
        "--use-database",
        metavar="URL",
        help="an already migrated database to fill and leave in place (the tests pass a "
        "copy of the test database); default: a scratch database, dropped at the end",
    )


def check_server_arguments(options):
    from django.core.management.base import CommandError

    if options["workers"] < 1 or options["concurrency"] < 1:
        raise CommandError("--workers and --concurrency must be at least 1")


class BenchError(Exception):
    """A bench could not run (not a measured failure)."""


# ---------------------------------------------------------------- processes


def _die_with_parent():
    # Linux: the child gets SIGTERM if the bench process dies without cleaning up (SIGKILL).
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort, not on every platform
        pass


def _spawn(args, env, **kwargs):
    return subprocess.Popen(
        args,
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,  # its own process group: one killpg stops gunicorn's workers too
        preexec_fn=_die_with_parent,
        **kwargs,
    )


def _stop(proc, first=signal.SIGINT, grace=5.0):
    """Stop a child and its whole process group; SIGKILL what does not stop in time."""
    if proc is None:
        return
    for sig, wait in ((first, grace), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        # The master is gone; make sure no worker of its group outlives it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        return


# Set when a bench is interrupted (Ctrl-C, SIGTERM, an error): visitors stop at once.
STOP = threading.Event()


@contextlib.contextmanager
def interruptible():
    """One bench run: SIGTERM becomes SystemExit so that `finally` blocks kill the children
    (Ctrl-C already raises), and client threads are told to stop on the way out."""
    STOP.clear()
    main = threading.current_thread() is threading.main_thread()
    previous = None
    if main:

        def _raise(signum, frame):
            raise SystemExit(128 + signum)

        previous = signal.signal(signal.SIGTERM, _raise)
    try:
        yield
    finally:
        STOP.set()
        if main:
            signal.signal(signal.SIGTERM, previous)


def sleep_until(moment):
    """Sleep until a time.monotonic() moment; False when the bench is stopping."""
    delay = moment - time.monotonic()
    if delay > 0:
        return not STOP.wait(delay)
    return not STOP.is_set()


def in_threads(fn, items, workers):
    """[fn(item)] computed by `workers` threads; an interruption stops them quickly."""
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        return list(pool.map(fn, items))
    except BaseException:
        STOP.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def log_tail(path, lines=20, width=2000):
    """The errors of a log, else its end (without the warnings of refused requests)."""
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:
        return ""
    every = text.splitlines()
    errors = [line for line in every if "ERROR" in line or "Traceback" in line]
    kept = errors or [line for line in every if "WARNING" not in line]
    return "\n".join(line[:width] for line in kept[-lines:])


# ---------------------------------------------------------------- scratch database


@dataclass
class Database:
    url: str
    vendor: str  # "sqlite" or "postgresql"
    migrate: bool  # a fresh database the agent must migrate


def _vendor(url):
    scheme = urlsplit(url).scheme
    if scheme.startswith("postgres") or scheme == "pgsql":
        return "postgresql"
    if scheme.startswith("sqlite"):
        return "sqlite"
    raise BenchError(f"bench: unsupported database scheme {scheme!r} (PostgreSQL or SQLite)")


def _pg_admin(url):
    import psycopg

    parts = urlsplit(url)
    last_error = None
    # The maintenance database first; the configured one if "postgres" is not reachable.
    for dbname in ("postgres", parts.path.lstrip("/")):
        try:
            return psycopg.connect(
                host=parts.hostname or None,
                port=parts.port or None,
                user=parts.username or None,
                password=parts.password or None,
                dbname=dbname,
                autocommit=True,
                connect_timeout=10,
            )
        except psycopg.OperationalError as exc:
            last_error = exc
    raise BenchError(f"bench: cannot reach PostgreSQL: {last_error}")


@contextlib.contextmanager
def scratch_database(label, use_url=None):
    """A database for one bench run, dropped at the end.

    use_url: an already migrated database the caller owns (tests pass a copy of the test
    database); it is used as is and left in place.
    Otherwise PostgreSQL when DATABASE_URL says so (a new `<name>_<label>_<pid>` database next
    to it), else a temporary SQLite file; both are migrated by the agent.
    """
    if use_url:
        yield Database(use_url, _vendor(use_url), migrate=False)
        return
    configured = os.environ.get("DATABASE_URL", "")
    if configured and _vendor(configured) == "postgresql":
        parts = urlsplit(configured)
        name = f"{parts.path.lstrip('/') or 'mias'}_{label}_{os.getpid()}"[:63]
        with _pg_admin(configured) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield Database(urlunsplit(parts._replace(path=f"/{name}")), "postgresql", True)
        finally:
            with _pg_admin(configured) as admin:
                try:  # FORCE ends sessions a killed worker may have left behind (PostgreSQL 13+)
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                except Exception:  # noqa: BLE001
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        return
    folder = tempfile.mkdtemp(prefix=f"mias-{label}-")
    try:
        yield Database(f"sqlite:///{folder}/bench.sqlite3", "sqlite", True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def server_env(db_url, **extra):
    """Production settings (DEBUG=0) on the scratch database, for the server and the agent; the
    bench settings only add the minimal view (mias/bench_urls.py)."""
    pid = os.getpid()
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="devtools.bench_settings",
        DATABASE_URL=db_url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=LOOPBACK,
        # As behind the TLS reverse proxy: the client sends X-Forwarded-Proto: https.
        HTTPS="1",
        # Plain static storage: the bench never fetches static files and needs no collectstatic.
        STATIC_MANIFEST="0",
        # Its own cache keys and task queue when Redis is shared with other runs.
        CACHE_PREFIX=f"bench-{pid}",
        Q_CLUSTER_NAME=f"bench-{pid}",
        MIAS_BENCH="1",
        PYTHONUNBUFFERED="1",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


# ---------------------------------------------------------------- agent


class Agent:
    """A Django process on the scratch database, driven over stdin/stdout JSON lines."""

    def __init__(self, env, log_path):
        self.env = env
        self.log_path = log_path
        self.proc = None
        self._log = None

    def __enter__(self):
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in __exit__
        self.proc = _spawn(
            [sys.executable, "-m", "devtools.benchserver", "agent"],
            self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            bufsize=1,
        )
        return self

    def __exit__(self, *exc):
        try:
            if self.proc and self.proc.poll() is None:
                with contextlib.suppress(OSError, ValueError):
                    self.proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
                    self.proc.stdin.flush()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(timeout=0.5)  # nothing left to do: connections are closed
        finally:
            _stop(self.proc, signal.SIGKILL, grace=1)
            if self._log:
                self._log.close()

    def _ask(self, message):
        try:
            self.proc.stdin.write(json.dumps(message) + "\n")
            self.proc.stdin.flush()
        except (OSError, ValueError) as exc:
            raise BenchError(f"bench agent died:\n{log_tail(self.log_path)}") from exc
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise BenchError(f"bench agent died:\n{log_tail(self.log_path)}")
            if line.startswith(PROTOCOL):
                answer = json.loads(line[len(PROTOCOL) :])
                if "error" in answer:
                    raise BenchError(f"bench agent failed on {message['op']}:\n{answer['error']}")
                return answer["result"]

    def migrate(self):
        return self._ask({"op": "migrate"})

    def run(self, path, **kwargs):
        """Call a function (dotted path) in the agent; its JSON-able result comes back."""
        return self._ask({"op": "run", "path": path, "kwargs": kwargs})


def agent_main():
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.utils.module_loading import import_string

    for line in sys.stdin:
        message = json.loads(line)
        if message["op"] == "quit":
            break
        try:
            if message["op"] == "migrate":
                call_command("migrate", interactive=False, verbosity=0, stdout=sys.stderr)
                result = None
            else:
                result = import_string(message["path"])(**message["kwargs"])
            answer = {"result": result}
        except Exception:  # noqa: BLE001 - reported to the bench, which stops
            answer = {"error": traceback.format_exc()}
        finally:
            # No connection left open between steps: the database is dropped at the end.
            connections.close_all()
        sys.stdout.write(PROTOCOL + json.dumps(answer) + "\n")
        sys.stdout.flush()


# ---------------------------------------------------------------- gunicorn


class Server:
    """gunicorn on a free loopback port, started on enter (call wait_ready before using it) and
    stopped with its workers on exit. It serves devtools.bench_settings: the site plus
    MINIMAL_PATH."""

    def __init__(self, env, workers, log_path, folder):
        self.env = env
        self.workers = workers
        self.log_path = log_path
        self.folder = Path(folder)
        self.port = free_port()
        self.proc = None
        self._log = None

    def __enter__(self):
        # An empty config: a gunicorn.conf.py of the project must not change what is measured.
        config = self.folder / "gunicorn_bench.conf.py"
        config.write_text("")
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in __exit__
        try:
            self.proc = _spawn(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "mias.wsgi:application",
                    "--config",
                    str(config),
                    "--bind",
                    f"{LOOPBACK}:{self.port}",
                    "--workers",
                    str(self.workers),
                    "--worker-tmp-dir",
                    "/dev/shm" if os.path.isdir("/dev/shm") else str(self.folder),
                    "--log-level",
                    "warning",
                    "--error-logfile",
                    "-",
                ],
                self.env,
                stdout=self._log,
                stderr=subprocess.STDOUT,
            )
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        try:
            # Every answer is in by now; gunicorn's own shutdown takes 2–3 s, not worth waiting.
            _stop(self.proc, signal.SIGINT, grace=1.0)
        finally:
            if self._log:
                self._log.close()

    def wait_ready(self, timeout=60.0):
        """Until a worker answers the minimal view (no database: it may still be migrating)."""
        limit = time.monotonic() + timeout
        while time.monotonic() < limit:
            if self.proc.poll() is not None:
                raise BenchError(f"gunicorn exited at start:\n{log_tail(self.log_path)}")
            try:
                if self.browser().request("GET", MINIMAL_PATH).status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        raise BenchError(f"gunicorn did not answer in {timeout:.0f} s:\n{log_tail(self.log_path)}")

    def browser(self):
        return Browser(self.port)


# ---------------------------------------------------------------- client


@dataclass
class Response:
    status: int
    headers: dict
    body: str
    ms: float


@dataclass
class Browser:
    """One visitor: its own cookies, a new connection per request (gunicorn sync workers close
    them anyway), and the headers of a browser behind the TLS reverse proxy of production."""

    port: int
    cookies: dict = field(default_factory=dict)
    timeout: float = 30.0

    @property
    def origin(self):
        return f"https://{LOOPBACK}:{self.port}"

    def request(self, method, path, data=None):
        headers = {
            "Host": f"{LOOPBACK}:{self.port}",
            "X-Forwarded-Proto": "https",
            "Accept-Language": "fr",
            "User-Agent": "mias-bench",
            "Connection": "close",
        }
        body = None
        if data is not None:
            body = urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # CSRF checks the origin of secure requests.
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        start = time.perf_counter()
        conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            text = resp.read().decode("utf-8", "replace")
        finally:
            conn.close()
        ms = (time.perf_counter() - start) * 1000
        for raw in resp.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, text, ms)


def percentile(values, q, digits=1):
    """Nearest-rank percentile (q in 0–100) of a list; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return round(ordered[rank - 1], digits)


# ---------------------------------------------------------------- synthetic data (in the agent)

SECTORS = [
    "CPAS",
    "Alphabétisation",
    "Aide à la jeunesse",
    "Santé mentale",
    "Handicap",
    "Logement",
    "Insertion socioprofessionnelle",
    "Personnes âgées",
    "Migrations",
    "Culture et éducation permanente",
    "Sans-abrisme",
    "Petite enfance",
]
TYPES = [
    "Une question",
    "Un projet en attente",
    "Un problème à résoudre",
    "L'évaluation d'un processus, d'un projet ou d'une pratique",
    "Une étude d'opportunité ou de faisabilité",
    "Autre",
]
CONTEXTS = ["Résidentiel", "Ambulatoire", "Travail de rue", "Réseau", "Institutionnel"]
CITIES = ["Namur", "Louvain-la-Neuve", "Liège", "Charleroi", "Bruxelles", "Mons", "Arlon"]
_SYLLABLES = [c + v for c in "bcdfgklmnprstvz" for v in ("a", "e", "i", "o", "u", "ou", "an")]


def pseudo_name(rng, words=2):
    """A made-up institution name: distinct enough that the duplicate check never fires."""
    parts = ["".join(rng.choice(_SYLLABLES) for _ in range(3)).capitalize() for _ in range(words)]
    return "Maison " + " ".join(parts)


def synthetic_commission(call, institution, n, data, **fields):
    """The n-th synthetic commission of `call` (unsaved, for create or bulk_create): the same
    contact, texts and vocabularies in every bench; `fields` add or override the rest."""
    from commissions.models import Commission

    return Commission(
        call=call,
        institution=institution,
        contact_name=f"Marie Dupont {n}",
        contact_role="Directrice",
        contact_phone="+32 81 00 00 00",
        title=f"Absentéisme des apprenant·es {n}",
        question="Comment réduire l'absentéisme dans nos groupes ?",
        context="Nos groupes perdent un tiers des apprenant·es en cours d'année.",
        expected_outcome="Des recommandations concrètes.",
        sector_id=institution.sector_id,
        commission_type_id=data["type_ids"][n % len(data["type_ids"])],
        intervention_context_id=data["context_ids"][n % len(data["context_ids"])],
        languages=["fr"],
        **fields,
    )


def seed_call(tag, deadline, known_institutions=30, past_consultancies=13, seed=0):
    """A programme and its open call like the seed's (key dates, criteria, past consultancies,
    vocabularies, one coordinator, known institutions). Runs in the agent; returns plain ids."""
    import random
    from datetime import datetime, timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from commissions.models import (
        Call,
        CommissionType,
        Criterion,
        Institution,
        InterventionContext,
        KeyDate,
        PastConsultancy,
        Programme,
        Sector,
    )

    rng = random.Random(seed)
    now = timezone.now()
    deadline = datetime.fromisoformat(deadline)
    sectors = [
        Sector.objects.get_or_create(name=n, defaults={"order": i})[0]
        for i, n in enumerate(SECTORS)
    ]
    types = [
        CommissionType.objects.get_or_create(name=n, defaults={"order": i})[0]
        for i, n in enumerate(TYPES)
    ]
    contexts = [
        InterventionContext.objects.get_or_create(name=n, defaults={"order": i})[0]
        for i, n in enumerate(CONTEXTS)
    ]
    programme = Programme.objects.create(
        name=f"MIAS bench {tag}", short_name=f"B{tag}"[:6], slug=f"bench-{tag}"
    )
    # No password (unusable): hashing one costs a second of PBKDF2 per account.
    coordinator = get_user_model().objects.create_user(f"coord-{tag}", f"coord-{tag}@bench.example")
    programme.coordinators.add(coordinator)
    call = Call.objects.create(
        programme=programme,
        academic_year="2030-2031",
        slug=f"bench-{tag}",
        title="Recherche de consultances 2030-2031",
        opens_at=now - timedelta(days=30),
        deadline=deadline,
        status=Call.Status.OPEN,
        contact_email="coord@bench.example",
    )
    start = deadline + timedelta(days=90)
    for kind, label, offset, commitment in [
        ("presentation", "Présentation aux étudiant·es", 0, "Présenter sa commande"),
        ("clarification", "Réunion de clarification", 8, "Recevoir l'équipe"),
        ("report", "Envoi du rapport de mission", 160, ""),
        ("feedback", "Réunion de retour", 170, "Rencontrer l'équipe après le rapport"),
        ("oral", "Présentation orale (jeudi)", 190, "Accueillir la présentation orale"),
        ("oral", "Présentation orale (vendredi)", 191, "Accueillir la présentation orale"),
        ("end", "Fin du laboratoire", 220, ""),
    ]:
        KeyDate.objects.create(
            call=call,
            kind=kind,
            label=label,
            starts_at=start + timedelta(days=offset),
            actor="coordinator" if not commitment else "institution",
            commitment=commitment,
        )
    for i, (label, kind) in enumerate(
        [
            ("Problématique d'ingénierie sociale dans le non-marchand", "reviewer"),
            ("Disponibilité et engagement de l'institution", "reviewer"),
            ("Variété des problématiques", "portfolio"),
            ("Variété des secteurs et contextes d'intervention", "portfolio"),
        ]
    ):
        Criterion.objects.create(call=call, label=label, kind=kind, order=i, eliminatory=i == 0)
    for i in range(past_consultancies):
        PastConsultancy.objects.create(
            programme=programme,
            sector=sectors[i % len(sectors)],
            summary=f"Comment mieux accompagner le public de {pseudo_name(rng)} ?",
            academic_year=f"{2010 + i}-{2011 + i}",
            order=i,
        )
    Institution.objects.bulk_create(
        Institution(
            name=pseudo_name(rng),
            legal_form="asbl",
            sector=sectors[i % len(sectors)],
            address=f"Rue de la Station {i + 1}",
            city=CITIES[i % len(CITIES)],
        )
        for i in range(known_institutions)
    )
    return {
        "call_id": call.pk,
        "slug": call.slug,
        "submit_path": call.get_submit_url(),
        "sector_ids": [s.pk for s in sectors],
        "type_ids": [t.pk for t in types],
        "context_ids": [c.pk for c in contexts],
        "oral_ids": list(call.key_dates.filter(kind="oral").values_list("pk", flat=True)),
        "commitments": [c.field_name for c in call.commitments()],
    }


def set_deadline(call_id, deadline):
    from datetime import datetime

    from commissions.models import Call
    from mias.signals import written

    Call.objects.filter(pk=call_id).update(deadline=datetime.fromisoformat(deadline))
    written(Call)


def forget_bench_state(agent):
    """Drop what the run left in a shared Redis: its task queue and its rate-limit counters."""
    with contextlib.suppress(BenchError):  # on the way out: never hide the first error
        agent.run("devtools.benchserver._forget_bench_state")


def _forget_bench_state():
    from django_q.brokers import get_broker

    from mias.ratelimit import forget, key

    get_broker().purge_queue()
    forget(*[key(scope, LOOPBACK) for scope in ("submit", "link", "login", "reset")])


if __name__ == "__main__":
    if sys.argv[1:] == ["agent"]:
        agent_main()
    else:
        sys.exit("usage: python -m devtools.benchserver agent")
