"""Benchmark the exact team allocation against the serial-dictatorship baseline.

Synthetic instances (no database): n = 5 x commissions students, team bounds 4-6, so every
instance is feasible. Popularity is skewed (Zipf weights 1/(j+1)^0.8) and each student ranks a
realistic top 10 (all of them when there are fewer than 10 commissions), sampled without
replacement in proportion to popularity (Plackett-Luce through the Gumbel top-k trick); 2% of
students rank nothing. Students get one of four backgrounds and some languages; 5% of them come
in mutual teammate-wish pairs with the same list, so the final solve is the wish MILP.

    python manage.py bench_allocation --sizes 50x10,500x100,2000x400 [--mode generous]
                                      [--top-k 10] [--seed 0]

prints one JSON line per size. "profile" counts ranks 1..10 then everything below; students
placed off their list or who ranked nothing are counted apart. ``run_bench`` is the same
thing callable from plain Python.
"""

import json
import time

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from teams.forming.allocation import Project, Student, allocate_students, serial_dictatorship

TOP_K = 10
BACKGROUNDS = ("economics", "law", "psychology", "social work")
SIZE_MIN, SIZE_MAX = 4, 6


def synthetic_instance(n_students, n_commissions, seed=0, top_k=TOP_K):
    rng = np.random.default_rng(seed)
    m = n_commissions
    weights = 1.0 / np.arange(1, m + 1) ** 0.8
    rng.shuffle(weights)
    log_w = np.log(weights)
    needs = []
    for _j in range(m):
        langs = set()
        if rng.random() < 0.3:
            langs.add("en")
        if rng.random() < 0.15:
            langs.add("nl")
        needs.append(frozenset(langs))
    projects = [
        Project(id=f"C{j:04d}", min_size=SIZE_MIN, max_size=SIZE_MAX, languages_needed=needs[j])
        for j in range(m)
    ]
    k = min(top_k, m)
    students = []
    for i in range(n_students):
        ranks = {}
        if rng.random() >= 0.02:
            keys = log_w + rng.gumbel(size=m)
            top = np.argsort(-keys, kind="stable")[:k]
            ranks = {projects[j].id: r + 1 for r, j in enumerate(top)}
        langs = {"fr"}
        if rng.random() < 0.7:
            langs.add("en")
        if rng.random() < 0.2:
            langs.add("nl")
        students.append(
            Student(
                id=f"S{i:05d}",
                ranks=ranks,
                background=BACKGROUNDS[rng.choice(4, p=[0.4, 0.2, 0.25, 0.15])],
                languages=frozenset(langs),
            )
        )
    paired = rng.permutation(n_students)[: int(0.05 * n_students) // 2 * 2]
    for a, b in paired.reshape(-1, 2):
        # Friends who ask to work together usually hand in the same list.
        students[b].ranks = dict(students[a].ranks)
        students[a].wishes = (students[b].id,)
        students[b].wishes = (students[a].id,)
    return students, projects


def _short(profile, head=5):
    return [*profile[:head], sum(profile[head:])] if len(profile) > head else list(profile)


def _matching_baseline(students, projects):
    try:
        from matching.games import HospitalResident
    except ImportError:
        return {"matching": "not installed"}
    try:
        t0 = time.perf_counter()
        resident_prefs = {s.id: sorted(s.ranks, key=s.ranks.get) for s in students if s.ranks}
        hospital_prefs = {p.id: [] for p in projects}
        for sid, prefs in resident_prefs.items():
            for pid in prefs:
                hospital_prefs[pid].append(sid)
        game = HospitalResident.create_from_dictionaries(
            resident_prefs, hospital_prefs, {p.id: p.max_size for p in projects}
        )
        result = game.solve(optimal="resident")
        seconds = time.perf_counter() - t0
        rank_of = {s.id: s.ranks for s in students}
        ranks, sizes = [], []
        for hospital, residents in result.items():
            sizes.append(len(residents))
            ranks += [rank_of[r.name][hospital.name] for r in residents]
        below = sum(max(0, SIZE_MIN - size) for size in sizes)
        return {
            "matching": "installed",
            "matching_seconds": round(seconds, 3),
            "matching_mean_rank": round(float(np.mean(ranks)), 3) if ranks else None,
            "matching_unplaced": len(students) - len(ranks),
            "matching_size_violations": below,
        }
    except Exception as exc:  # third-party API drift must not break the bench
        return {"matching": f"error: {exc}"}


def run_bench(students, commissions, seed=0, mode="rank_maximal", top_k=TOP_K):
    pool, projects = synthetic_instance(students, commissions, seed, top_k)
    t0, c0 = time.perf_counter(), time.process_time()
    exact = allocate_students(pool, projects, mode=mode)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter()
    greedy = serial_dictatorship(pool, projects, seed=seed)
    greedy_seconds = time.perf_counter() - t0
    if not exact.feasible:
        return {"students": students, "commissions": commissions, "reason": exact.reason}
    out = {
        "students": students,
        "commissions": commissions,
        "mode": mode,
        "top_k": min(top_k, commissions),
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),  # wall time suffers when the machine is busy
        "solver_seconds": round(exact.stats.get("solver_seconds", 0.0), 3),
        "solves": exact.stats.get("solves"),
        "profile": _short(exact.profile, TOP_K),
        "off_list": len(exact.off_list),
        "unranked": len(exact.unranked),
        "mean_rank": round(exact.mean_rank, 3),
        "size_violations": exact.size_violations,
        "wishes_honoured": f"{exact.wishes_honoured}/{exact.wish_pairs}",
        "greedy_seconds": round(greedy_seconds, 3),
        "greedy_mean_rank": round(greedy.mean_rank, 3),
        "greedy_profile": _short(greedy.profile, TOP_K),
        "greedy_off_list": len(greedy.off_list),
        "greedy_size_violations": greedy.size_violations,
    }
    out.update(_matching_baseline(pool, projects))
    return out


def parse_sizes(text):
    sizes = []
    for part in text.split(","):
        try:
            n, m = part.lower().split("x")
            sizes.append((int(n), int(m)))
        except ValueError as exc:
            raise ValueError(f"bad size {part!r}, expected STUDENTSxCOMMISSIONS") from exc
    return sizes


class Command(BaseCommand):
    help = "Time the exact team allocation on synthetic instances (no database access)."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="50x10,500x100,2000x400")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--mode", choices=["rank_maximal", "generous"], default="rank_maximal")
        parser.add_argument(
            "--top-k", type=int, default=TOP_K, help="commissions ranked per student"
        )

    def handle(self, *args, **options):
        try:
            sizes = parse_sizes(options["sizes"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for n, m in sizes:
            self.stdout.write(
                json.dumps(run_bench(n, m, options["seed"], options["mode"], options["top_k"]))
            )
