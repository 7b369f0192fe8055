"""Benchmark the exact team allocation against the serial-dictatorship baseline.

Synthetic instances (no database): n = 5 x commissions students, team bounds 4-6, so every
instance is feasible. Popularity is skewed (Zipf weights 1/(j+1)^0.8) and each student ranks a
realistic top 10 (all of them when there are fewer than 10 commissions), sampled without
replacement in proportion to popularity (Plackett-Luce through the Gumbel top-k trick); 2% of
students rank nothing. Students get one of four backgrounds and some languages; 5% of them come
in mutual teammate-wish pairs with the same list, so the final solve is the wish MILP.

    python manage.py bench_allocation --sizes 500x100,2000x400,5000x1000,10000x2000
                                      [--mode generous]
                                      [--top-k 10] [--seed 0]

prints one JSON line per size. "profile" counts ranks 1..10 then everything below; students
placed off their list or who ranked nothing are counted apart, and "mean_rank" is over the
students placed on their list only. ``run_bench`` is the same thing callable from plain Python.

The floor (rank-maximal mode only) is the plainest exact rank-maximal we know how to write:
one OR-Tools SimpleMinCostFlow per rank level over every listed pair, the earlier optima
kept by the optimal face read from node potentials, no secondary objective, no explanation.
"floor_ratio" is the project's time over the floor's (wall clock; "floor_cpu_ratio" on CPU
time, steadier on a busy machine) and "same_profile_as_floor" checks that both reach the same
rank profile. "minsum_*" is the allocation that minimises the sum of ranks instead (a student
off their list counts as max rank + 1): what rank-maximal costs in students off their list.
"""

import json
import time

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from ortools.graph.python import min_cost_flow
from scipy import sparse
from scipy.sparse.csgraph import breadth_first_order

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


# --------------------------------------------------------------------------- floor


class _Flow:
    """Students -> listed commission (one arc per pair) | hub -> any commission -> sink.

    A commission's minimum size is its demand and the slack up to its maximum an arc to the
    sink; the hub is the way onto a commission a student did not rank.
    """

    def __init__(self, students, projects):
        n, m = len(students), len(projects)
        pidx = {p.id: j for j, p in enumerate(projects)}
        tails, heads, ranks = [], [], []
        for i, s in enumerate(students):
            listed = sorted((r, pidx[p]) for p, r in s.ranks.items() if p in pidx)
            for k, (_r, j) in enumerate(listed):
                tails.append(i)
                heads.append(n + j)
                ranks.append(k + 1)
        lo = np.array([p.min_size for p in projects], dtype=np.int64)
        hi = np.array([p.max_size for p in projects], dtype=np.int64)
        hub, sink = n + m, n + m + 1
        self.n, self.m, self.d = n, m, len(tails)
        self.listing = np.array([bool(s.ranks) for s in students])
        self.tail = np.concatenate([tails, np.arange(n), np.full(m, hub), n + np.arange(m)]).astype(
            np.int64
        )
        self.head = np.concatenate(
            [heads, np.full(n, hub), n + np.arange(m), np.full(m, sink)]
        ).astype(np.int64)
        self.cap = np.concatenate([np.ones(self.d + n, dtype=np.int64), hi, hi - lo])
        self.rank = np.concatenate(
            [np.array(ranks, dtype=np.int64), np.zeros(n + 2 * m, dtype=np.int64)]
        )
        self.max_rank = int(self.rank.max(initial=0))
        self.supply = np.concatenate([np.ones(n, dtype=np.int64), -lo, [0, -(n - lo.sum())]])

    def solve(self, cost):
        live = np.flatnonzero(self.cap > 0)
        smcf = min_cost_flow.SimpleMinCostFlow()
        smcf.add_arcs_with_capacity_and_unit_cost(
            self.tail[live], self.head[live], self.cap[live], cost[live]
        )
        smcf.set_nodes_supplies(np.arange(len(self.supply)), self.supply)
        if smcf.solve() != smcf.OPTIMAL:
            raise RuntimeError("min-cost flow failed")
        flow = np.zeros(len(self.tail), dtype=np.int64)
        flow[live] = smcf.flows(np.arange(len(live)))
        return flow

    def keep_optimal_face(self, cost, flow):
        """Delete the arcs with a positive reduced cost, pre-route those with a negative one."""
        nn = len(self.supply)
        free, used = flow < self.cap, flow > 0
        u = np.concatenate([self.tail[free], self.head[used]])
        v = np.concatenate([self.head[free], self.tail[used]])
        w = np.concatenate([cost[free], -cost[used]])
        # Shortest distances from a virtual source: one unit to every node by min-cost flow,
        # then the costs summed down the tree of arcs that carry it.
        smcf = min_cost_flow.SimpleMinCostFlow()
        tails, heads = np.r_[np.full(nn, nn), u], np.r_[np.arange(nn), v]
        costs = np.r_[np.zeros(nn, dtype=np.int64), w]
        smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, np.full(len(tails), nn), costs)
        smcf.set_nodes_supplies(np.arange(nn + 1), np.r_[np.full(nn, -1), nn])
        if smcf.solve() != smcf.OPTIMAL:
            raise RuntimeError("shortest paths failed")
        on = np.flatnonzero(smcf.flows(np.arange(len(tails))) > 0)
        tree = sparse.csr_array((np.ones(len(on)), (tails[on], heads[on])), shape=(nn + 1,) * 2)
        _order, pred = breadth_first_order(tree, nn, directed=True, return_predecessors=True)
        pred[nn] = nn
        into = sparse.csr_array((costs[on], (tails[on], heads[on])), shape=(nn + 1,) * 2)
        dist = np.asarray(into[pred, np.arange(nn + 1)]).ravel().astype(np.int64)
        dist[nn] = 0
        while np.any(pred != nn):  # sums to the root by pointer doubling
            dist, pred = dist + dist[pred], pred[pred]
        rc = cost + dist[self.tail] - dist[self.head]
        full = (rc < 0) & (self.cap > 0)
        np.subtract.at(self.supply, self.tail[full], self.cap[full])
        np.add.at(self.supply, self.head[full], self.cap[full])
        self.cap[(rc > 0) | full] = 0
        return full

    def profile(self, flow, fixed):
        on = (flow[: self.d] > 0) | fixed[: self.d]
        counts = np.bincount(self.rank[: self.d][on], minlength=self.max_rank + 1)[1:]
        off_list = int(self.listing.sum() - on.sum())
        return counts, off_list


def floor_rank_maximal(students, projects):
    """(profile by rank, placed off their list) of a rank-maximal allocation."""
    net = _Flow(students, projects)
    fixed = np.zeros(len(net.tail), dtype=bool)
    flow = net.solve(np.zeros(len(net.tail), dtype=np.int64))
    placed, listing = 0, int(net.listing.sum())
    for k in range(1, net.max_rank + 1):
        at = net.rank == k
        if placed == listing or not (net.cap[at] > 0).any():
            placed += int(fixed[at].sum())
            continue
        cost = np.where(at, -1, 0).astype(np.int64)
        flow = net.solve(cost)
        placed += int(flow[at].sum() + fixed[at].sum())
        fixed |= net.keep_optimal_face(cost, flow)
        flow[fixed] = 0  # pre-routed: counted through ``fixed`` from now on
    return net.profile(flow, fixed)


def min_sum(students, projects):
    """(profile, off list) of the allocation with the least sum of ranks, off-list = max + 1."""
    net = _Flow(students, projects)
    cost = net.rank.copy()
    cost[net.d : net.d + net.n] = np.where(net.listing, net.max_rank + 1, 0)
    return net.profile(net.solve(cost), np.zeros(len(net.tail), dtype=bool))


def _mean_rank(profile):
    placed = int(np.sum(profile))
    return (
        round(float(np.dot(np.arange(1, len(profile) + 1), profile)) / placed, 3)
        if placed
        else None
    )


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


def _timed(call, *args, **kwargs):
    t0, c0 = time.perf_counter(), time.process_time()
    out = call(*args, **kwargs)
    return out, time.perf_counter() - t0, time.process_time() - c0


def _warm_up():
    """Lazy imports and the first translation lookups are not the solver's time."""
    pool, projects = synthetic_instance(50, 10, 1)
    allocate_students(pool, projects)
    floor_rank_maximal(pool, projects)


def _floor_figures(exact, pool, projects, seconds, cpu):
    (profile, off_list), floor_s, floor_cpu = _timed(floor_rank_maximal, pool, projects)
    mine = list(exact.profile[: len(profile)])
    same = (
        mine == profile.tolist()
        and not any(exact.profile[len(profile) :])
        and len(exact.off_list) == off_list
    )
    (minsum, minsum_off), _s, _c = _timed(min_sum, pool, projects)
    return {
        "floor_seconds": round(floor_s, 3),
        "floor_cpu_seconds": round(floor_cpu, 3),
        "floor_ratio": round(seconds / floor_s, 2),
        "floor_cpu_ratio": round(cpu / floor_cpu, 2),
        "same_profile_as_floor": same,
        "floor_profile": _short(profile.tolist(), TOP_K),
        "minsum_off_list": minsum_off,
        "minsum_mean_rank": _mean_rank(minsum),
        "minsum_profile": _short(minsum.tolist(), TOP_K),
    }


def run_bench(students, commissions, seed=0, mode="rank_maximal", top_k=TOP_K):
    pool, projects = synthetic_instance(students, commissions, seed, top_k)
    # Each engine meets this size once untimed, as in a running server: a first solve of a
    # new shape pays lazy imports and caches (0.16 s against 0.04 s at 500 students).
    allocate_students(pool, projects, mode=mode)
    if mode == "rank_maximal":
        floor_rank_maximal(pool, projects)
    exact, seconds, cpu = _timed(allocate_students, pool, projects, mode=mode)
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
        "mean_rank": round(exact.mean_rank, 3),  # of the students placed on their list
        "size_violations": exact.size_violations,
        "wishes_honoured": f"{exact.wishes_honoured}/{exact.wish_pairs}",
        "greedy_seconds": round(greedy_seconds, 3),
        "greedy_mean_rank": round(greedy.mean_rank, 3),
        "greedy_profile": _short(greedy.profile, TOP_K),
        "greedy_off_list": len(greedy.off_list),
        "greedy_size_violations": greedy.size_violations,
    }
    if mode == "rank_maximal":
        out.update(_floor_figures(exact, pool, projects, seconds, cpu))
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
        parser.add_argument("--sizes", default="500x100,2000x400,5000x1000,10000x2000")
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
        _warm_up()
        for n, m in sizes:
            self.stdout.write(
                json.dumps(run_bench(n, m, options["seed"], options["mode"], options["top_k"]))
            )
