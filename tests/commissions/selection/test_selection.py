import itertools
import random
import time

import numpy as np
import pytest

from commissions.selection.portfolio import (
    Candidate,
    SelectionParams,
    greedy_baseline,
    objective_value,
    select,
    violations,
)


@pytest.fixture(autouse=True)
def english():
    """Assertions read the English texts, whatever LANGUAGE_CODE says."""
    from django.conf import settings

    if not settings.configured:
        yield
        return
    from django.utils import translation

    with translation.override("en"):
        yield


TOLERANCE = 1e-6


def cand(i, merit, sector="S1", ctype="T1", context="C1", eligible=True):
    return Candidate(i, merit, sector, ctype, context, eligible, label=f"Commission {i}")


def random_instance(rng: random.Random):
    n = rng.randint(6, 18)
    places = rng.randint(3, 6)
    sectors = [f"S{k}" for k in range(rng.randint(2, 5))]
    types = [f"T{k}" for k in range(rng.randint(1, 4))]
    contexts = [f"C{k}" for k in range(rng.randint(1, 4))]
    merits = [round(rng.uniform(0, 4), 2) for _ in range(3)]  # some exact ties
    candidates = [
        Candidate(
            id=i,
            merit=rng.choice(merits) if rng.random() < 0.3 else round(rng.uniform(0, 4), 2),
            sector=rng.choice(sectors),
            ctype=rng.choice(types),
            context=rng.choice(contexts),
            eligible=rng.random() > 0.15,
            label=f"C{i}",
        )
        for i in range(n)
    ]
    ids = [c.id for c in candidates]
    pairs = [
        (a, b, round(rng.uniform(60, 100), 1))
        for a, b in itertools.combinations(ids, 2)
        if rng.random() < 0.12
    ]
    available = [c.id for c in candidates if c.eligible]
    excluded = frozenset(rng.sample(available, min(len(available), rng.randint(0, 2))))
    pinnable = [i for i in available if i not in excluded]
    pinned = frozenset(rng.sample(pinnable, min(len(pinnable), rng.randint(0, 2))))
    params = SelectionParams(
        places=places,
        merit_weight=rng.choice([1.0, 1.0, 0.5]),
        sector_reward=rng.choice([1.0, 0.3, 2.0]),
        type_reward=rng.choice([0.5, 0.0, 1.0]),
        context_reward=rng.choice([0.5, 0.2]),
        similarity_penalty=rng.choice([1.0, 3.0, 0.0]),
        sector_cap=rng.choice([None, None, 1, 2, 3]),
        pinned=pinned,
        excluded=excluded,
    )
    return candidates, params, pairs


def brute_force(candidates, params, pairs):
    available = [c for c in candidates if c.eligible and c.id not in params.excluded]
    places = min(params.places, len(available))
    best = None
    for combo in itertools.combinations([c.id for c in available], places):
        if not params.pinned <= set(combo):
            continue
        if violations(combo, candidates, params):
            continue
        value = objective_value(combo, candidates, params, pairs)
        if best is None or value > best:
            best = value
    return best


@pytest.mark.parametrize("seed", range(30))
def test_optimiser_matches_brute_force(seed):
    rng = random.Random(seed)
    candidates, params, pairs = random_instance(rng)
    result = select(candidates, params, pairs)
    best = brute_force(candidates, params, pairs)
    if best is None:
        assert not result.feasible
        assert result.reason
        return
    assert result.feasible, result.reason
    assert result.optimal
    assert violations(result.selected, candidates, params) == []
    assert result.objective == pytest.approx(
        objective_value(result.selected, candidates, params, pairs)
    )
    assert result.objective == pytest.approx(best, abs=TOLERANCE)


@pytest.mark.parametrize("seed", range(10))
def test_greedy_never_beats_the_optimiser(seed):
    candidates, params, pairs = random_instance(random.Random(100 + seed))
    result = select(candidates, params, pairs)
    greedy_ids, greedy_value = greedy_baseline(candidates, params, pairs)
    assert greedy_value == pytest.approx(objective_value(greedy_ids, candidates, params, pairs))
    if result.feasible:
        assert greedy_value <= result.objective + TOLERANCE


def test_objective_value_by_hand():
    candidates = [
        cand(1, 3.0, "A", "T1", "X"),
        cand(2, 2.0, "A", "T2", "X"),
        cand(3, 1.0, "B", "T1", ""),
    ]
    params = SelectionParams(
        places=3, sector_reward=1.0, type_reward=0.5, context_reward=0.25, similarity_penalty=2.0
    )
    pairs = [(1, 2, 80.0), (2, 1, 50.0), (1, 3, 60.0), (9, 1, 100.0)]
    # merit 6 + 2 sectors + 2 types * 0.5 + 1 context * 0.25 (blank context does not count)
    # - 2 * (0.8 + 0.6): duplicates keep the highest score, unknown ids are ignored.
    assert objective_value([1, 2, 3], candidates, params, pairs) == pytest.approx(
        6 + 2 + 1 + 0.25 - 2.8
    )
    with pytest.raises(ValueError):
        objective_value([1, 42], candidates, params, pairs)


def test_pins_and_exclusions_hold():
    candidates = [cand(i, 4.0 - i / 10, sector=f"S{i % 3}") for i in range(12)]
    params = SelectionParams(places=4, pinned=frozenset({11, 10}), excluded=frozenset({0, 1}))
    result = select(candidates, params)
    assert result.feasible
    assert {10, 11} <= set(result.selected)
    assert not {0, 1} & set(result.selected)
    assert not {0, 1} & set(result.waitlist)
    assert result.explanations[11].startswith("Pinned by the coordinator")
    assert result.explanations[0] == "Not selected: excluded by the coordinator"


def test_equal_merit_prefers_a_sector_not_yet_covered():
    candidates = [
        cand(1, 3.0, sector="Health"),
        cand(2, 3.0, sector="Health"),
        cand(3, 3.0, sector="Culture"),
    ]
    result = select(candidates, SelectionParams(places=2))
    assert sorted(result.selected) == [1, 3]
    assert "Health is already covered by Commission 1" in result.explanations[2]


def test_new_sector_outweighs_a_small_merit_gap():
    candidates = [cand(1, 3.8, "A"), cand(2, 3.7, "A"), cand(3, 3.0, "B")]
    assert sorted(select(candidates, SelectionParams(places=2)).selected) == [1, 3]
    no_variety = SelectionParams(places=2, sector_reward=0, type_reward=0, context_reward=0)
    assert sorted(select(candidates, no_variety).selected) == [1, 2]


def test_ties_go_to_the_lower_id():
    candidates = [cand(i, 2.5) for i in (7, 3, 5, 4)]
    result = select(candidates, SelectionParams(places=2))
    assert sorted(result.selected) == [3, 4]
    assert result.waitlist == [5, 7]
    assert "same score" in result.explanations[5]


def test_ties_go_to_the_lower_id_on_larger_calls():
    identical = [cand(i, 2.0) for i in range(80, 0, -1)]
    assert sorted(select(identical, SelectionParams(places=10)).selected) == list(range(1, 11))
    three_sectors = [cand(i, 2.0, sector=f"S{i % 3}") for i in range(60)]
    assert sorted(select(three_sectors, SelectionParams(places=3)).selected) == [0, 1, 2]


def test_ineligible_candidates_are_never_selected():
    candidates = [cand(1, 4.0, "A", eligible=False)] + [cand(i, 1.0, "B") for i in range(2, 6)]
    result = select(candidates, SelectionParams(places=3))
    assert 1 not in result.selected and 1 not in result.waitlist
    assert "ineligible" in result.explanations[1]


def test_similar_problems_are_penalised():
    candidates = [
        cand(1, 3.9, "A", "T1", "X"),
        cand(2, 3.8, "B", "T2", "Y"),
        cand(3, 3.0, "C", "T2", "Y"),
    ]
    pairs = [(1, 2, 90.0)]
    result = select(candidates, SelectionParams(places=2, similarity_penalty=2.0), pairs)
    assert sorted(result.selected) == [1, 3]
    assert "too similar to Commission 1 (90%)" in result.explanations[2]
    without = select(candidates, SelectionParams(places=2, similarity_penalty=0.0), pairs)
    assert sorted(without.selected) == [1, 2]
    assert "kept although similar to Commission 2 (90%)" in without.explanations[1]


def test_sector_cap():
    candidates = [cand(i, 4 - i / 10, "A") for i in range(5)] + [cand(9, 0.5, "B")]
    result = select(candidates, SelectionParams(places=3, sector_cap=2, sector_reward=0))
    assert sorted(result.selected) == [0, 1, 9]
    assert "maximum of 2 commissions" in result.explanations[2]


@pytest.mark.parametrize(
    "params, expected",
    [
        (SelectionParams(places=2, pinned=frozenset({1})), "ineligible"),
        (SelectionParams(places=2, pinned=frozenset({2}), excluded=frozenset({2})), "excluded"),
        (SelectionParams(places=2, pinned=frozenset({2, 3, 4})), "only 2 places"),
        (SelectionParams(places=2, pinned=frozenset({99})), "not found"),
        (SelectionParams(places=3, sector_cap=1), "only 2 can be selected"),
        (SelectionParams(places=2, sector_cap=1, pinned=frozenset({2, 3})), "above the cap"),
        (SelectionParams(places=-1), "negative"),
        (SelectionParams(places=2, sector_reward=-1), "zero or positive"),
    ],
)
def test_infeasible_requests_give_a_reason(params, expected):
    candidates = [
        cand(1, 4.0, "A", eligible=False),
        cand(2, 3.0, "A"),
        cand(3, 2.0, "A"),
        cand(4, 1.0, "B"),
    ]
    result = select(candidates, params)
    assert result.feasible is False
    assert expected in result.reason
    assert result.selected == []


def test_malformed_input_gives_a_reason():
    assert "twice" in select([cand(1, 1.0), cand(1, 2.0)]).reason
    assert "Merit is missing" in select([cand(1, None), cand(2, 1.0)]).reason
    assert "Merit is missing" in select([cand(1, float("nan"))]).reason


def test_fewer_eligible_than_places_selects_all_of_them():
    candidates = [cand(1, 2.0, "A"), cand(2, 1.0, "B"), cand(3, 4.0, "C", eligible=False)]
    result = select(candidates, SelectionParams(places=10))
    assert result.feasible
    assert sorted(result.selected) == [1, 2]
    assert result.places == 2
    assert "Only 2 eligible commissions for 10 places" in result.summary
    empty = select([cand(3, 4.0, eligible=False)], SelectionParams(places=10))
    assert empty.feasible and empty.selected == [] and "No eligible commission" in empty.summary


def test_waitlist_is_ordered_and_disjoint_from_the_selection():
    rng = random.Random(7)
    candidates = [
        cand(i, round(rng.uniform(0, 4), 2), f"S{rng.randint(0, 5)}", f"T{rng.randint(0, 3)}")
        for i in range(40)
    ]
    pairs = [(i, i + 1, 75.0) for i in range(0, 40, 3)]
    result = select(candidates, SelectionParams(places=8), pairs)
    assert not set(result.selected) & set(result.waitlist)
    assert set(result.selected) | set(result.waitlist) == {c.id for c in candidates}
    gains = [result.gains[i] for i in result.waitlist]
    assert gains == sorted(gains, reverse=True)
    # Each waitlisted gain is what objective_value says adding it would bring.
    base = objective_value(result.selected, candidates, SelectionParams(places=8), pairs)
    for i in result.waitlist[:5]:
        plus = objective_value(result.selected + [i], candidates, SelectionParams(), pairs)
        assert result.gains[i] == pytest.approx(plus - base, abs=1e-3)
    assert result.explanations[result.waitlist[0]].startswith("Waitlisted (#1): would add")
    # Selected ones are ordered by what they contribute.
    contributions = [
        result.objective
        - objective_value(
            [j for j in result.selected if j != i], candidates, SelectionParams(), pairs
        )
        for i in result.selected
    ]
    assert contributions == sorted(contributions, reverse=True)


def test_every_candidate_is_explained_and_summary_reports_coverage():
    candidates = [
        cand(1, 3.9, "Health", "Study", "Rural"),
        cand(2, 2.4, "Health", "Study", "Rural"),
        cand(3, 1.0, "Culture", "Study", "Urban"),
        cand(4, 2.0, "Sport", "Study", "Rural", eligible=False),
        cand(5, 0.5, "Housing", "Study", "Rural"),
    ]
    # {1, 3}: 4.9 + 2 sectors + 1 type * 0.5 + 2 contexts * 0.5 = 8.4 > 8.3 for {1, 2}
    result = select(candidates, SelectionParams(places=2))
    assert sorted(result.selected) == [1, 3]
    assert set(result.explanations) == {1, 2, 3, 4, 5}
    assert result.explanations[1].startswith("Selected: merit 3.90 (rank 1 of 4)")
    assert result.coverage["sectors"]["covered"] == ["Culture", "Health"]
    assert result.coverage["sectors"]["not_covered"] == ["Housing"]
    assert "covering 2 of 3 sectors" in result.summary
    assert "Sectors not covered: Housing." in result.summary
    assert "Highest-merit commission left out: Commission 2" in result.summary


def test_deterministic_whatever_the_input_order():
    rng = random.Random(3)
    candidates = [
        cand(i, round(rng.choice([1.0, 2.0, 3.0]), 2), f"S{i % 4}", f"T{i % 3}", f"C{i % 5}")
        for i in range(60)
    ]
    pairs = [(i, j, 80.0) for i in range(60) for j in range(i + 1, 60) if (i * j) % 17 == 1]
    params = SelectionParams(places=10)
    first = select(candidates, params, pairs)
    shuffled = candidates[:]
    rng.shuffle(shuffled)
    swapped = [(b, a, s) for a, b, s in reversed(pairs)]
    for again in (select(candidates, params, pairs), select(shuffled, params, swapped)):
        assert again.selected == first.selected
        assert again.waitlist == first.waitlist
        assert again.explanations == first.explanations
        assert again.summary == first.summary


def test_string_ids_and_missing_attributes():
    candidates = [
        Candidate("b", 2.0, None, None, None),
        Candidate("a", 2.0, "", "T", None),
        Candidate("c", 1.0, "S", "T", "X"),
    ]
    result = select(candidates, SelectionParams(places=2))
    assert result.feasible
    assert sorted(result.selected) == ["a", "c"] or sorted(result.selected) == ["b", "c"]
    assert result.explanations["b"]


def test_large_instance_is_fast():
    rng = random.Random(11)
    candidates = [
        cand(i, round(rng.uniform(0, 4), 2), f"S{rng.randint(0, 11)}", f"T{rng.randint(0, 5)}")
        for i in range(2000)
    ]
    pairs = [(rng.randrange(2000), rng.randrange(2000), 70.0) for _ in range(3000)]
    start = time.perf_counter()
    # As the app runs it: words for the selected and the kept waiting list only.
    params = SelectionParams(places=10, sector_cap=2, explained=5)
    result = select(candidates, params, pairs)
    assert time.perf_counter() - start < 5.0
    assert result.feasible and len(result.selected) == 10 and result.optimal
    # Most candidates are ruled out before the solver, not after.
    assert result.considered < 200


def test_explanations_write_numbers_in_the_reader_s_locale():
    """Badges say "3,90" in French: the explanation beside them must not say "3.90"."""
    from django.utils import translation

    candidates = [cand(1, 3.9, "Health", "Study", "Rural"), cand(2, 2.4, "Culture", "Study", "U")]
    with translation.override("fr"):
        result = select(candidates, SelectionParams(places=1))
    assert "3,90" in result.explanations[1]
    assert "3.90" not in result.explanations[1]
    with translation.override("en"):
        result = select(candidates, SelectionParams(places=1))
    assert "3.90" in result.explanations[1]


def test_only_the_kept_waiting_list_is_explained_in_words():
    rng = random.Random(5)
    candidates = [
        cand(i, round(rng.uniform(0, 4), 2), f"S{i % 5}", f"T{i % 3}", eligible=i % 9 != 0)
        for i in range(60)
    ]
    pairs = [(i, i + 1, 80.0) for i in range(0, 60, 4)]
    full = select(candidates, SelectionParams(places=6), pairs)
    short = select(candidates, SelectionParams(places=6, explained=3), pairs)
    assert short.selected == full.selected and short.waitlist == full.waitlist
    assert short.gains == full.gains and short.summary == full.summary
    head = full.waitlist[:3]
    ineligible = [c.id for c in candidates if not c.eligible]
    assert set(short.explanations) == set(full.selected) | set(head) | set(ineligible)
    for i in short.explanations:
        assert short.explanations[i] == full.explanations[i]
    assert set(select(candidates, SelectionParams(places=6, explained=0)).explanations) == (
        set(full.selected) | set(ineligible)
    )


def wide_instance(rng: random.Random):
    """Many candidates for few places, merits spread: most can be ruled out."""
    candidates, params, pairs = random_instance(rng)
    extra = [
        Candidate(
            id=100 + i,
            merit=round(rng.uniform(0, 4), 2),
            sector=rng.choice(["S0", "S1", "S2", None]),
            ctype=rng.choice(["T0", "T1"]),
            context=rng.choice(["C0", "C1", "C2"]),
            label=f"X{i}",
        )
        for i in range(rng.randint(0, 8))
    ]
    candidates = candidates + extra
    ids = [c.id for c in candidates]
    pairs += [(a, b, 90.0) for a, b in itertools.combinations(ids, 2) if rng.random() < 0.05]
    places = rng.randint(1, 4)
    params = SelectionParams(
        places=max(places, len(params.pinned)),
        merit_weight=params.merit_weight,
        sector_reward=params.sector_reward,
        type_reward=params.type_reward,
        context_reward=params.context_reward,
        similarity_penalty=params.similarity_penalty,
        sector_cap=params.sector_cap,
        pinned=params.pinned,
        excluded=params.excluded,
    )
    return candidates, params, pairs


def optimal_portfolios(candidates, params, pairs):
    available = [c.id for c in candidates if c.eligible and c.id not in params.excluded]
    places = min(params.places, len(available))
    values = {}
    for combo in itertools.combinations(available, places):
        if params.pinned <= set(combo) and not violations(combo, candidates, params):
            values[combo] = objective_value(combo, candidates, params, pairs)
    if not values:
        return None, []
    best = max(values.values())
    return best, [set(c) for c, v in values.items() if v >= best - TOLERANCE]


@pytest.mark.parametrize("seed", range(40))
def test_candidates_ruled_out_are_in_no_optimal_portfolio(seed):
    from commissions.selection import portfolio

    candidates, params, pairs = wide_instance(random.Random(500 + seed))
    best, optima = optimal_portfolios(candidates, params, pairs)
    result = select(candidates, params, pairs)
    if best is None:
        assert not result.feasible
        return
    assert result.feasible and result.optimal
    assert result.objective == pytest.approx(best, abs=TOLERANCE)
    assert set(result.selected) in optima
    # The bound itself, from the best floor there is (the optimum): no optimal member lost.
    inst = portfolio._Instance(candidates, params, pairs)
    pinned = sorted(inst.pos[p] for p in params.pinned)
    kept = portfolio._reduce(inst, min(params.places, inst.n), pinned, best)
    assert set().union(*optima) <= {inst.ids[k] for k in kept}


def test_reduction_rules_out_most_of_a_large_call_and_keeps_the_optimum():
    rng = random.Random(21)
    candidates = [
        cand(i, round(rng.uniform(0, 4), 2), f"S{i % 7}", f"T{i % 4}", f"C{i % 5}")
        for i in range(400)
    ]
    pairs = [(i, i + 1, 85.0) for i in range(0, 400, 2)]
    params = SelectionParams(places=5, time_limit=30)
    result = select(candidates, params, pairs)
    assert result.optimal and result.considered < 100
    # The same problem without the reduction: the full MILP over every candidate.
    from commissions.selection import portfolio

    inst = portfolio._Instance(candidates, params, pairs)
    mask, optimal = portfolio._solve(inst, 5, [], np.arange(inst.n))
    full = [inst.ids[k] for k in np.nonzero(portfolio._settle(inst, mask, []))[0]]
    assert optimal and sorted(full) == sorted(result.selected)


def test_similarity_asked_on_demand_gives_the_same_run():
    from commissions.similarity import ProblemSimilarity, similar_pairs
    from devtools.management.commands.bench_selection import synthetic_candidates

    candidates, texts = synthetic_candidates(400, seed=2)
    params = SelectionParams(places=8, explained=10)
    given = select(candidates, params, similar_pairs(texts))
    asked = select(candidates, params, similarity=ProblemSimilarity(texts))
    assert asked.selected == given.selected and asked.waitlist == given.waitlist
    assert asked.explanations == given.explanations and asked.summary == given.summary
    assert asked.gains == given.gains
    assert asked.objective == pytest.approx(given.objective)
    assert sorted(asked.pairs) == sorted(given.pairs)
    greedy = greedy_baseline(candidates, params, similar_pairs(texts))
    assert greedy_baseline(candidates, params, similarity=ProblemSimilarity(texts)) == greedy


def test_bench_prints_the_split_and_the_quality_per_size():
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("bench_selection", sizes="80,120", places=5, stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["candidates"] for line in lines] == [80, 120]
    for line in lines:
        parts = line["similarity_seconds"] + line["solve_seconds"] + line["report_seconds"]
        assert line["seconds"] == pytest.approx(parts, abs=0.01)
        assert line["optimal"] and line["gap_vs_greedy"] >= 0
        assert 0 < line["considered"] <= 120
