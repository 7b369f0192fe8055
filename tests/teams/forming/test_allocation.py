"""Exact team allocation: checked against brute force and an independent assignment model."""

import itertools
import json
import random
from collections import Counter

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from teams.forming import allocation as alloc_mod
from teams.forming.allocation import (
    Project,
    Student,
    Supervisor,
    allocate_students,
    assign_supervisors,
    serial_dictatorship,
)


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English; the site's default language may differ."""
    from django.conf import settings

    if not settings.configured:  # plain run: strings come back untranslated
        yield
        return
    from django.utils import translation

    with translation.override("en"):
        yield


# --------------------------------------------------------------------------- helpers


def random_instance(rng, n, m, bounds=None, p_empty=0.1, p_partial=0.3):
    """Students with full, partial or empty strict rankings; bounds chosen feasible."""
    if bounds is None:
        # Around the average size, so sum(min) <= n < sum(max) always holds.
        avg = n // m
        bounds = []
        for _j in range(m):
            lo = max(0, avg - rng.randint(0, 2))
            bounds.append((lo, avg + rng.randint(1, 2)))
    projects = [Project(id=f"P{j}", min_size=lo, max_size=hi) for j, (lo, hi) in enumerate(bounds)]
    weights = [rng.random() ** 2 + 0.05 for _p in projects]  # popularity skew
    students = []
    for i in range(n):
        u = rng.random()
        if u < p_empty:
            ranks = {}
        else:
            order = sorted(projects, key=lambda p, w=weights: -w[projects.index(p)] * rng.random())
            k = rng.randint(1, m - 1) if u < p_empty + p_partial and m > 1 else m
            ranks = {p.id: r + 1 for r, p in enumerate(order[:k])}
        students.append(Student(id=f"S{i}", ranks=ranks))
    return students, projects


def level_counts(students, projects, assignment):
    """{rank: count}; rank m+1 = placed on a commission the student did not rank."""
    off = len(projects) + 1
    return Counter(s.ranks.get(assignment[s.id], off) for s in students)


def maximal_key(counts, m):
    return tuple(counts.get(r, 0) for r in range(1, m + 2))


def generous_key(counts, m):
    # Smaller is better: off-list first, then the worst rank, ...
    return tuple(counts.get(r, 0) for r in range(m + 1, 1, -1))


def brute_force(students, projects):
    """Best rank-maximal and generous keys over every assignment that respects the bounds."""
    m = len(projects)
    best_max, best_gen = None, None
    for combo in itertools.product(range(m), repeat=len(students)):
        sizes = Counter(combo)
        if any(not p.min_size <= sizes[j] <= p.max_size for j, p in enumerate(projects)):
            continue
        assignment = {s.id: projects[j].id for s, j in zip(students, combo, strict=True)}
        counts = level_counts(students, projects, assignment)
        km, kg = maximal_key(counts, m), generous_key(counts, m)
        best_max = km if best_max is None or km > best_max else best_max
        best_gen = kg if best_gen is None or kg < best_gen else best_gen
    return best_max, best_gen


def seats_optimum(students, projects, mode):
    """Independent model: duplicated seats solved by linear_sum_assignment.

    Every project has max_size seats, the first min_size of them mandatory. Ghost students
    fill the seats left over and may only take optional seats, so every mandatory seat gets
    a real student. Lexicographic weights (n+1)^k are exact at these sizes.
    """
    n, m = len(students), len(projects)
    base = n + 1
    seat_project, mandatory = [], []
    for j, p in enumerate(projects):
        for k in range(p.max_size):
            seat_project.append(j)
            mandatory.append(k < p.min_size)
    seats = len(seat_project)
    assert base ** (m + 1) * n < 2**53
    cost = np.zeros((seats, seats))
    for i, s in enumerate(students):
        for c, j in enumerate(seat_project):
            r = s.ranks.get(projects[j].id, m + 1)
            if mode == "rank_maximal":
                cost[i, c] = -(base ** (m + 1 - r)) if r <= m else 0.0
            else:
                cost[i, c] = base**m if r > m else (base ** (r - 2) if r >= 2 else 0.0)
    cost[n:, np.array(mandatory, dtype=bool)] = np.inf
    rows, cols = linear_sum_assignment(cost)
    assignment = {
        students[i].id: projects[seat_project[c]].id
        for i, c in zip(rows, cols, strict=True)
        if i < n
    }
    return level_counts(students, projects, assignment)


def check_bounds(result, students, projects):
    assert result.feasible, result.reason
    assert set(result.assignment) == {s.id for s in students}
    sizes = Counter(result.assignment.values())
    for p in projects:
        assert p.min_size <= sizes[p.id] <= p.max_size, (p, sizes[p.id])
    assert result.size_violations == 0
    assert sum(result.profile) + len(result.unranked) + len(result.off_list) == len(students)
    assert len(result.profile) == len(projects)


def profile_counts(result, m):
    counts = Counter({r + 1: c for r, c in enumerate(result.profile) if c})
    off = len(result.unranked) + len(result.off_list)
    if off:
        counts[m + 1] = off
    return counts


# --------------------------------------------------------------------------- optimality


SMALL_CASES = [(8, [(2, 3)] * 3), (8, [(1, 4), (2, 3), (3, 3)]), (7, [(1, 2)] * 4)]


@pytest.mark.parametrize("case", range(len(SMALL_CASES)))
@pytest.mark.parametrize("seed", range(6))
def test_matches_brute_force(case, seed):
    n, bounds = SMALL_CASES[case]
    rng = random.Random(1000 * case + seed)
    students, projects = random_instance(rng, n, len(bounds), bounds)
    best_max, best_gen = brute_force(students, projects)
    m = len(projects)
    ranked = allocate_students(students, projects)
    check_bounds(ranked, students, projects)
    assert maximal_key(profile_counts(ranked, m), m) == best_max
    generous = allocate_students(students, projects, mode="generous")
    check_bounds(generous, students, projects)
    assert generous_key(profile_counts(generous, m), m) == best_gen


@pytest.mark.parametrize("seed", range(12))
def test_matches_linear_sum_assignment_over_seats(seed):
    rng = random.Random(seed)
    n, m = rng.randint(10, 30), rng.randint(3, 6)
    students, projects = random_instance(rng, n, m)
    for mode, key in (("rank_maximal", maximal_key), ("generous", generous_key)):
        result = allocate_students(students, projects, mode=mode)
        check_bounds(result, students, projects)
        expected = seats_optimum(students, projects, mode)
        assert key(profile_counts(result, m), m) == key(expected, m), mode


@pytest.mark.parametrize("case", range(len(SMALL_CASES)))
@pytest.mark.parametrize("seed", range(4))
def test_bench_floor_matches_brute_force(case, seed):
    # The floor bench_allocation times the project against must be exact too.
    from devtools.management.commands.bench_allocation import floor_rank_maximal

    n, bounds = SMALL_CASES[case]
    students, projects = random_instance(
        random.Random(2000 + 10 * case + seed), n, len(bounds), bounds
    )
    best_max, _best_gen = brute_force(students, projects)
    profile, off_list = floor_rank_maximal(students, projects)
    m = len(projects)
    counts = Counter({r + 1: c for r, c in enumerate(profile.tolist()) if c})
    unranked = sum(1 for s in students if not s.ranks)
    if off_list + unranked:
        counts[m + 1] = off_list + unranked
    assert maximal_key(counts, m) == best_max


@pytest.mark.parametrize("seed", range(10))
def test_same_rank_profile_as_the_min_cost_flow_floor(seed):
    from devtools.management.commands.bench_allocation import floor_rank_maximal

    rng = random.Random(300 + seed)
    m = rng.randint(3, 14)
    students, projects = random_instance(rng, 5 * m, m, bounds=[(4, 6)] * m)
    for s in students[::4]:
        s.background = "law"
    profile, off_list = floor_rank_maximal(students, projects)
    result = allocate_students(students, projects)
    check_bounds(result, students, projects)
    assert result.profile[: len(profile)] == profile.tolist()
    assert not any(result.profile[len(profile) :])
    assert len(result.off_list) == off_list


@pytest.mark.parametrize("seed", range(4))
def test_optimal_face_agrees_with_explicit_count_rows(seed):
    # The fast path (arcs deleted through duals) against the textbook count_j >= opt_j rows.
    rng = random.Random(50 + seed)
    students, projects = random_instance(rng, 60, 12, bounds=[(4, 6)] * 12)
    inst = alloc_mod._Instance(students, projects)
    for mode in alloc_mod.MODES:
        fast, rows = {}, {}
        alloc_mod._solve_exact(inst, mode, True, fast)
        alloc_mod._solve_exact(inst, mode, True, rows, use_face=False)
        assert [lv for lv in fast["levels"] if lv[1]] == [lv for lv in rows["levels"] if lv[1]]
        assert "face_fallback" not in fast


@pytest.mark.parametrize("seed", range(10))
def test_every_student_placed_and_never_worse_than_serial_dictatorship(seed):
    rng = random.Random(100 + seed)
    m = rng.randint(4, 15)
    students, projects = random_instance(rng, 5 * m, m, bounds=[(4, 6)] * m)
    exact = allocate_students(students, projects)
    check_bounds(exact, students, projects)
    greedy = serial_dictatorship(students, projects, seed=seed)
    assert set(greedy.assignment) == {s.id for s in students}
    sizes = Counter(greedy.assignment.values())
    assert all(sizes[p.id] <= p.max_size for p in projects)
    assert greedy.size_violations == sum(max(0, p.min_size - sizes[p.id]) for p in projects)
    if greedy.size_violations == 0:
        assert maximal_key(profile_counts(exact, m), m) >= maximal_key(profile_counts(greedy, m), m)
        if exact.mean_rank is not None and not exact.off_list and not greedy.off_list:
            assert exact.profile[0] >= greedy.profile[0]


def test_serial_dictatorship_reports_size_violations():
    projects = [Project("A", 1, 3), Project("B", 1, 3), Project("C", 2, 2)]
    students = [Student(f"S{i}", {"A": 1, "B": 2}) for i in range(4)]
    greedy = serial_dictatorship(students, projects)
    assert greedy.size_violations == 2
    assert "places missing" in greedy.summary
    exact = allocate_students(students, projects)
    check_bounds(exact, students, projects)
    assert exact.profile == [1, 1, 0] and len(exact.off_list) == 2


# --------------------------------------------------------------------------- behaviour


def test_infeasible_inputs_give_a_reason():
    projects = [Project(f"P{j}", 5, 6) for j in range(3)]
    few = allocate_students([Student(f"S{i}", {}) for i in range(12)], projects)
    assert not few.feasible
    assert few.reason == "12 students cannot fill 3 teams of at least 5 (15 needed)."
    many = allocate_students([Student(f"S{i}", {}) for i in range(40)], projects)
    assert many.reason == "40 students exceed 3 teams of at most 6 (18 places)."
    varied = [Project("A", 2, 3), Project("B", 4, 5)]
    assert "at their minimum sizes (6 needed)" in allocate_students([], varied).reason
    broken = allocate_students([Student("S", {})], [Project("A", 3, 2)])
    assert not broken.feasible and "minimum team size (3) above its maximum (2)" in broken.reason
    none = allocate_students([Student("S", {})], [])
    assert not none.feasible and "no commission" in none.reason
    assert not serial_dictatorship([Student("S", {})], []).feasible
    assert allocate_students([], []).feasible


def test_same_input_same_teams_whatever_the_order():
    rng = random.Random(7)
    students, projects = random_instance(rng, 60, 12, bounds=[(4, 6)] * 12)
    for s in students[::5]:
        s.background = "law"
    first = allocate_students(students, projects)
    again = allocate_students(students, projects)
    shuffled = allocate_students(students[::-1], projects[::-1])
    assert first.assignment == again.assignment == shuffled.assignment
    assert first.explanations == again.explanations
    g1 = serial_dictatorship(students, projects, seed=3)
    assert g1.assignment == serial_dictatorship(students, projects, seed=3).assignment


def test_mutual_wish_honoured_when_it_costs_no_rank():
    projects = [Project("A", 2, 2), Project("B", 2, 2)]
    # Everyone prefers A; two of four get it whatever happens, so the pair is free to choose.
    names = ["ann", "bob", "cat", "dan"]
    for x, y in itertools.combinations(names, 2):
        students = [
            Student(s, {"A": 1, "B": 2}, wishes=((y,) if s == x else (x,) if s == y else ()))
            for s in names
        ]
        result = allocate_students(students, projects)
        assert result.profile == [2, 2]
        assert result.assignment[x] == result.assignment[y]
        assert result.wishes_honoured == result.wish_pairs == 1
        assert "as both asked" in result.explanations[x]
    # A one-sided wish is not a pair.
    one_sided = [Student("ann", {"A": 1}, wishes=("bob",)), Student("bob", {"B": 1})]
    assert allocate_students(one_sided, [Project("A", 1, 2), Project("B", 1, 2)]).wish_pairs == 0


def test_mutual_wish_never_costs_rank():
    projects = [Project("A", 1, 2), Project("B", 1, 2)]
    students = [
        Student("ann", {"A": 1, "B": 2}, wishes=("bob",)),
        Student("bob", {"B": 1, "A": 2}, wishes=("ann",)),
    ]
    result = allocate_students(students, projects)
    assert result.profile == [2, 0]
    assert result.wishes_honoured == 0


def test_background_balance_and_languages_when_free():
    projects = [Project("A", 2, 2), Project("B", 2, 2, languages_needed=frozenset({"nl"}))]
    tie = {"A": 1, "B": 1}  # ties share a rank
    students = [
        Student("e1", tie, background="economics"),
        Student("e2", tie, background="economics"),
        Student("l1", tie, background="law", languages=frozenset({"nl"})),
        Student("l2", tie, background="law"),
    ]
    result = allocate_students(students, projects)
    assert result.profile == [4, 0]
    teams = {p: sorted(members) for p, members in result.teams.items()}
    assert all({m[0] for m in members} == {"e", "l"} for members in teams.values())
    assert result.assignment["l1"] == "B"
    plain = allocate_students(students, projects, balance=False)
    check_bounds(plain, students, projects)


def test_explanations_and_summary():
    projects = [Project("A", 1, 2), Project("B", 1, 2), Project("C", 1, 2)]
    students = [
        Student("s1", {"A": 1, "B": 2}),
        Student("s2", {"A": 1, "B": 2}),
        Student("s3", {"A": 2, "B": 1}),
        Student("s4", {"A": 2, "B": 3, "C": 1}),
        Student("s5", {"A": 1, "B": 2}),
        Student("lazy", {}),
    ]
    result = allocate_students(students, projects)
    check_bounds(result, students, projects)
    assert result.unranked == ["lazy"] and result.rank_of["lazy"] is None
    second = [s for s in ("s1", "s2", "s5") if result.rank_of[s] == 2]
    assert len(second) == 1
    text = result.explanations[second[0]]
    assert text.startswith("Placed on their 2nd choice (B)")
    assert "their 1st choice (A) was full with students who ranked it at least as high" in text
    assert result.explanations["lazy"].startswith("Did not rank: placed where a place was left")
    assert result.summary.startswith("4 of 6 students got their 1st choice, 1 their 2nd")
    assert "no one below 2nd" in result.summary and "1 did not rank" in result.summary
    assert "mean choice 1.20 for the 5 students placed on their list" in result.summary
    assert result.mean_rank == pytest.approx(6 / 5)
    assert alloc_mod._ordinal(11) == "11th" and alloc_mod._ordinal(22) == "22nd"


def test_partial_rankings_and_ranks_outside_the_selection():
    projects = [Project("A", 1, 1), Project("B", 1, 1)]
    students = [
        Student("s1", {"A": 1}),
        Student("s2", {"A": 1, "Z": 2}),  # Z was not selected: ignored
    ]
    result = allocate_students(students, projects)
    check_bounds(result, students, projects)
    assert result.profile == [1, 0] and len(result.off_list) == 1
    assert "which they did not rank" in result.explanations[result.off_list[0]]
    # The off-list count stands beside the mean, which leaves that student out.
    assert (
        "mean choice 1.00 for the 1 student placed on their list; "
        "1 placed on a commission they did not rank"
    ) in result.summary
    # Ranks are made dense over the selection: gaps closed, ties shared, None ignored.
    odd = [Student("s1", {"A": 3, "B": 7}), Student("s2", {"A": None, "B": 2.0})]
    result = allocate_students(odd, projects)
    assert result.rank_of == {"s1": 1, "s2": 1} and result.unranked == []


# --------------------------------------------------------------------------- supervisors


def brute_supervisors(teams, supervisors):
    best = -1
    for combo in itertools.product(range(len(supervisors)), repeat=len(teams)):
        load = Counter(combo)
        if any(load[k] > s.capacity for k, s in enumerate(supervisors)):
            continue
        matched = sum(
            sector in supervisors[k].sectors for (_t, sector), k in zip(teams, combo, strict=True)
        )
        best = max(best, matched)
    return best


@pytest.mark.parametrize("seed", range(15))
def test_supervisors_optimal_and_within_capacity(seed):
    rng = random.Random(seed)
    sectors = ["health", "youth", "literacy", "housing"]
    teams = [(f"T{t}", rng.choice([*sectors, None])) for t in range(rng.randint(1, 5))]
    supervisors = [
        Supervisor(f"V{k}", frozenset(rng.sample(sectors, rng.randint(0, 2))), rng.randint(0, 3))
        for k in range(rng.randint(1, 3))
    ]
    result = assign_supervisors(teams, supervisors)
    if sum(s.capacity for s in supervisors) < len(teams):
        assert not result.feasible and "supervision places" in result.reason
        return
    assert result.feasible
    assert set(result.assignment) == {t for t, _s in teams}
    load = Counter(result.assignment.values())
    assert all(load[s.id] <= s.capacity for s in supervisors)
    assert result.matched == brute_supervisors(teams, supervisors)
    assert set(result.explanations) == set(result.assignment)


def test_supervisor_load_is_spread():
    teams = [(f"T{t}", "health") for t in range(4)]
    supervisors = [Supervisor("a", frozenset({"health"}), 4), Supervisor("b", {"health"}, 4)]
    result = assign_supervisors(teams, supervisors)
    assert result.matched == 4
    assert Counter(result.assignment.values()) == {"a": 2, "b": 2}
    short = assign_supervisors(teams, [Supervisor("a", frozenset(), 3)])
    assert short.reason == "4 teams but only 3 supervision places."


# --------------------------------------------------------------------------- bench


def test_bench_core_runs_without_database():
    from devtools.management.commands.bench_allocation import parse_sizes, run_bench

    out = run_bench(50, 10, seed=0)
    json.dumps(out)
    assert out["size_violations"] == 0
    assert out["same_profile_as_floor"] is True and out["floor_ratio"] > 0
    # Min-sum: no allocation has a smaller sum of ranks (off their list = 11 here).

    def total(profile, off_list):
        return sum(r * c for r, c in enumerate(profile[:10], start=1)) + 11 * off_list

    assert total(out["minsum_profile"], out["minsum_off_list"]) <= total(
        out["profile"], out["off_list"]
    )
    assert out["mean_rank"] <= out["greedy_mean_rank"]
    assert "matching" in out
    assert parse_sizes("50x10,2000x400") == [(50, 10), (2000, 400)]
