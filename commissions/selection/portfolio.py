"""Portfolio optimiser for the yearly selection of commissions.

Plain data in, plain data out; only numpy/scipy, no Django import at module level,
so the optimiser can be tested and benchmarked without settings.

Objective (maximised) for a selected set S:

    merit_weight * sum(merit_i)
    + sector_reward  * #distinct sectors in S
    + type_reward    * #distinct commission types in S
    + context_reward * #distinct intervention contexts in S
    - similarity_penalty * sum over similar pairs {i, j} in S of score_ij / 100

subject to |S| = places, pinned ⊆ S, S among eligible and non-excluded candidates and
at most sector_cap commissions per sector. Solved exactly as a MILP with HiGHS.
"""

from __future__ import annotations

import math
import time
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from mias.i18n import decimal, join
from mias.i18n import message as _
from mias.i18n import nmessage as ngettext

# Defaults, with merits on the 0-4 scale of the weighted reviewer scores:
# - a sector not yet represented is worth one merit point: a 2.9 commission from a new
#   sector beats a 3.8 one from a sector already in the portfolio, but a 1.5 does not;
# - a new commission type or intervention context is worth half a point: variety there
#   matters, but less than the variety of partner sectors;
# - a similar pair costs similarity_penalty * score / 100, i.e. 0.6 to 1.0 point above
#   the usual 60% threshold: a near-duplicate needs about one merit point more than the
#   alternative to get in, and the penalty grows with how close the two problems are.
DEFAULT_SECTOR_REWARD = 1.0
DEFAULT_TYPE_REWARD = 0.5
DEFAULT_CONTEXT_REWARD = 0.5
DEFAULT_SIMILARITY_PENALTY = 1.0

# Ties: after the solver, any single swap that gives the same score and brings in a lower
# id is made (see _settle), so equal portfolios resolve by id whatever path HiGHS took.
# An epsilon bonus per id was not enough: HiGHS stops within an absolute gap of 1e-6.
_EXACT = 1e-9
# Gains closer than this are reported as ties in explanations.
_TIE_TOLERANCE = 1e-3


@dataclass(frozen=True)
class Candidate:
    id: Hashable
    merit: float
    sector: Hashable | None
    ctype: Hashable | None
    context: Hashable | None
    eligible: bool = True
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or str(self.id)


@dataclass(frozen=True)
class SelectionParams:
    places: int = 10
    merit_weight: float = 1.0
    sector_reward: float = DEFAULT_SECTOR_REWARD
    type_reward: float = DEFAULT_TYPE_REWARD
    context_reward: float = DEFAULT_CONTEXT_REWARD
    similarity_penalty: float = DEFAULT_SIMILARITY_PENALTY
    sector_cap: int | None = None
    pinned: frozenset = frozenset()
    excluded: frozenset = frozenset()
    time_limit: float = 60.0  # seconds given to HiGHS; 5,000 candidates need well under 1
    # Waitlisted commissions explained in words (None: all). The app keeps a waiting list
    # of a few and tells the others their rank: writing 20,000 sentences nobody reads took
    # most of a large run.
    explained: int | None = None


@dataclass
class SelectionResult:
    feasible: bool
    reason: str = ""
    # Ordered by contribution: objective(S) - objective(S without it).
    selected: list = field(default_factory=list)
    # Every other eligible, non-excluded commission, ordered by what it would add if a
    # place opened, objective(S + j) - objective(S); those over the sector cap come last.
    # After a withdrawal, rerun select() with the withdrawn one excluded: the best
    # replacement also depends on what the withdrawn commission covered.
    waitlist: list = field(default_factory=list)
    objective: float = 0.0
    # The selected, the first params.explained waitlisted, the ineligible and the excluded.
    explanations: dict = field(default_factory=dict)
    summary: str = ""
    coverage: dict = field(default_factory=dict)
    # Places actually filled: min(places, eligible and non-excluded candidates).
    places: int = 0
    # False when the solver stopped at its time limit with a good but unproven portfolio.
    optimal: bool = False
    # What each waitlisted commission would add if a place opened (waitlist order key).
    gains: dict = field(default_factory=dict)
    # Candidates left to the exact solver once those in no optimal portfolio are ruled out.
    considered: int = 0
    # Similar pairs (id, id, score) touching the selected ones: the penalties paid.
    pairs: list = field(default_factory=list)
    report_seconds: float = 0.0


SimilarPairs = Iterable[tuple[Hashable, Hashable, float]]

_DIMS = ("sector", "ctype", "context")


def _sort_key(key: Hashable):
    return (type(key).__name__, key)


def _has_value(value) -> bool:
    return value is not None and value != ""


def _pair_weights(similar_pairs: SimilarPairs, known) -> dict[tuple, float]:
    """{(a, b): score/100} with a < b in id order; duplicates keep the highest score."""
    weights: dict[tuple, float] = {}
    for a, b, score in similar_pairs or ():
        if a == b or a not in known or b not in known:
            continue
        weight = float(score) / 100.0
        if not weight > 0:
            continue
        key = (a, b) if _sort_key(a) <= _sort_key(b) else (b, a)
        if weight > weights.get(key, 0.0):
            weights[key] = weight
    return weights


def objective_value(
    selected_ids: Iterable[Hashable],
    candidates: Sequence[Candidate],
    params: SelectionParams,
    similar_pairs: SimilarPairs = (),
) -> float:
    """Objective of any set of ids (constraints are not checked: see violations())."""
    by_id = {c.id: c for c in candidates}
    chosen = list(dict.fromkeys(selected_ids))
    missing = [i for i in chosen if i not in by_id]
    if missing:
        raise ValueError(f"unknown candidate ids: {missing!r}")
    members = [by_id[i] for i in chosen]
    value = params.merit_weight * sum(float(c.merit) for c in members)
    rewards = (params.sector_reward, params.type_reward, params.context_reward)
    for dim, reward in zip(_DIMS, rewards, strict=True):
        covered = {getattr(c, dim) for c in members if _has_value(getattr(c, dim))}
        value += reward * len(covered)
    penalty = sum(_pair_weights(similar_pairs, set(chosen)).values())
    return value - params.similarity_penalty * penalty


def violations(
    selected_ids: Iterable[Hashable], candidates: Sequence[Candidate], params: SelectionParams
) -> list[str]:
    """Plain-language reasons why a (for instance hand-edited) selection breaks the rules."""
    by_id = {c.id: c for c in candidates}
    chosen = list(dict.fromkeys(selected_ids))
    problems = []
    unknown = [i for i in chosen if i not in by_id]
    if unknown:
        problems.append(_("Unknown commissions: %(ids)s") % {"ids": _names(unknown, by_id)})
    known = [by_id[i] for i in chosen if i in by_id]
    ineligible = [c.id for c in known if not c.eligible]
    if ineligible:
        problems.append(
            _("Ineligible commissions selected: %(names)s") % {"names": _names(ineligible, by_id)}
        )
    excluded = [c.id for c in known if c.id in params.excluded]
    if excluded:
        problems.append(
            _("Excluded commissions selected: %(names)s") % {"names": _names(excluded, by_id)}
        )
    missing_pins = sorted(set(params.pinned) - set(chosen), key=_sort_key)
    if missing_pins:
        problems.append(
            _("Pinned commissions left out: %(names)s") % {"names": _names(missing_pins, by_id)}
        )
    available = sum(1 for c in candidates if c.eligible and c.id not in params.excluded)
    places = min(params.places, available)
    if len(chosen) != places:
        problems.append(
            ngettext(
                "%(count)d commission selected for %(places)d places",
                "%(count)d commissions selected for %(places)d places",
                len(chosen),
            )
            % {"count": len(chosen), "places": places}
        )
    if params.sector_cap is not None:
        per_sector: dict = {}
        for c in known:
            if _has_value(c.sector):
                per_sector[c.sector] = per_sector.get(c.sector, 0) + 1
        for sector, count in sorted(per_sector.items(), key=lambda kv: str(kv[0])):
            if count > params.sector_cap:
                problems.append(
                    ngettext(
                        "Sector %(sector)s has %(count)d commission, above the cap of %(cap)d",
                        "Sector %(sector)s has %(count)d commissions, above the cap of %(cap)d",
                        count,
                    )
                    % {"sector": sector, "count": count, "cap": params.sector_cap}
                )
    return problems


def _names(ids: Iterable[Hashable], by_id: dict) -> str:
    return ", ".join(by_id[i].name if i in by_id else str(i) for i in ids)


class _Instance:
    """Available candidates (eligible, not excluded) in id order, as numpy arrays.

    Similar pairs are given (similar_pairs) or asked of a similarity on demand: the pairs
    of the selected ones (know) and those among the candidates the solver sees
    (know_among). Everything downstream reads only those, so W holds every pair it needs.
    """

    def __init__(
        self, candidates: Sequence[Candidate], params: SelectionParams, pairs, similarity=None
    ):
        self.params = params
        self.items = sorted(
            (c for c in candidates if c.eligible and c.id not in params.excluded),
            key=lambda c: _sort_key(c.id),
        )
        self.n = n = len(self.items)
        self.ids = [c.id for c in self.items]
        self.pos = {c.id: k for k, c in enumerate(self.items)}
        self.merit = np.array([float(c.merit) for c in self.items], dtype=float)
        self.rewards = (params.sector_reward, params.type_reward, params.context_reward)
        self.codes: list[np.ndarray] = []
        self.values: list[list] = []
        for dim in _DIMS:
            mapping: dict = {}
            codes = np.full(n, -1, dtype=np.int64)
            for k, c in enumerate(self.items):
                value = getattr(c, dim)
                if _has_value(value):
                    codes[k] = mapping.setdefault(value, len(mapping))
            self.codes.append(codes)
            self.values.append(list(mapping))
        self.similarity = similarity
        self.weights: dict[tuple, float] = {}
        self.known = np.zeros(n, dtype=bool) if similarity is not None else np.ones(n, dtype=bool)
        self._add(pairs)

    def _add(self, pairs):
        """Add (id, id, score) pairs, keeping the highest score, and rebuild W."""
        for (a, b), weight in _pair_weights(pairs, self.pos).items():
            key = (self.pos[a], self.pos[b])
            if weight > self.weights.get(key, 0.0):
                self.weights[key] = weight
        keys = sorted(self.weights)
        self.pair_i = np.array([i for i, _j in keys], dtype=np.int64)
        self.pair_j = np.array([j for _i, j in keys], dtype=np.int64)
        self.pair_w = np.array([self.weights[k] for k in keys], dtype=float)
        self.W = sparse.csc_array(
            (
                np.concatenate([self.pair_w, self.pair_w]),
                (
                    np.concatenate([self.pair_i, self.pair_j]),
                    np.concatenate([self.pair_j, self.pair_i]),
                ),
            ),
            shape=(self.n, self.n),
        )

    def column(self, k: int) -> np.ndarray:
        """Similarity weights of candidate k to every candidate (read from CSC directly:
        scipy's indexing cost a millisecond per call in the swap loops)."""
        out = np.zeros(self.n)
        start, stop = self.W.indptr[k], self.W.indptr[k + 1]
        out[self.W.indices[start:stop]] = self.W.data[start:stop]
        return out

    def know(self, positions) -> None:
        """Every pair of these candidates with any other."""
        new = [k for k in np.asarray(positions, dtype=np.int64).tolist() if not self.known[k]]
        if new:
            self.known[new] = True
            self._add(self.similarity.pairs([self.ids[k] for k in new], self.ids))

    def know_among(self, positions) -> None:
        """Every pair among these candidates."""
        if self.similarity is not None and not self.known.all():
            self._add(self.similarity.pairs([self.ids[k] for k in positions]))

    def known_pairs(self) -> list[tuple]:
        return [(self.ids[i], self.ids[j], round(w * 100, 1)) for (i, j), w in self.weights.items()]


def _infeasible(reason: str, explanations: dict | None = None) -> SelectionResult:
    return SelectionResult(
        feasible=False, reason=reason, summary=reason, explanations=explanations or {}
    )


def _finite(value) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _validate(candidates, params) -> SelectionResult | None:
    """Readable reasons for malformed input (checked before building arrays)."""
    ids = [c.id for c in candidates]
    if len(set(ids)) != len(ids):
        seen, dup = set(), []
        for i in ids:
            if i in seen:
                dup.append(i)
            seen.add(i)
        return _infeasible(
            _("The same commission appears twice: %(ids)s") % {"ids": ", ".join(map(str, dup))}
        )
    bad_merit = [c for c in candidates if not _finite(c.merit)]
    if bad_merit:
        return _infeasible(
            _("Merit is missing for: %(names)s") % {"names": ", ".join(c.name for c in bad_merit)}
        )
    if params.places < 0:
        return _infeasible(_("The number of places cannot be negative."))
    numbers = (
        params.sector_reward,
        params.type_reward,
        params.context_reward,
        params.similarity_penalty,
    )
    if any(not x >= 0 for x in numbers):
        return _infeasible(_("Rewards and the similarity penalty must be zero or positive."))
    if params.sector_cap is not None and params.sector_cap < 0:
        return _infeasible(_("The cap per sector cannot be negative."))
    return None


def _check(candidates, params, inst: _Instance) -> SelectionResult | None:
    """Readable reasons for impossible requests, before calling the solver."""

    by_id = {c.id: c for c in candidates}
    unknown = sorted((i for i in params.pinned if i not in by_id), key=_sort_key)
    if unknown:
        return _infeasible(
            _("Pinned commissions not found: %(ids)s") % {"ids": ", ".join(map(str, unknown))}
        )
    explanations = {}
    errors = []
    for pid in sorted(params.pinned, key=_sort_key):
        c = by_id[pid]
        if not c.eligible:
            msg = _("%(name)s is pinned but ineligible, so it cannot be selected.")
        elif pid in params.excluded:
            msg = _("%(name)s is both pinned and excluded.")
        else:
            continue
        errors.append(msg % {"name": c.name})
        explanations[pid] = msg % {"name": c.name}
    if errors:
        return _infeasible(join(" ", errors), explanations)

    places = min(params.places, inst.n)
    if len(params.pinned) > places:
        return _infeasible(
            ngettext(
                "%(pinned)d commission is pinned but there are only %(places)d places.",
                "%(pinned)d commissions are pinned but there are only %(places)d places.",
                len(params.pinned),
            )
            % {"pinned": len(params.pinned), "places": places}
        )
    cap = params.sector_cap
    if cap is not None:
        sector_codes = inst.codes[0]
        pinned_codes = sector_codes[[inst.pos[p] for p in params.pinned]]
        pinned_codes = pinned_codes[pinned_codes >= 0]
        for code, count in enumerate(np.bincount(pinned_codes, minlength=len(inst.values[0]))):
            if count > cap:
                return _infeasible(
                    ngettext(
                        "%(count)d pinned commission is in sector %(sector)s, "
                        "above the cap of %(cap)d.",
                        "%(count)d pinned commissions are in sector %(sector)s, "
                        "above the cap of %(cap)d.",
                        count,
                    )
                    % {"count": count, "sector": inst.values[0][code], "cap": cap}
                )
        per_sector = np.bincount(sector_codes[sector_codes >= 0], minlength=len(inst.values[0]))
        reachable = int(np.minimum(per_sector, cap).sum()) + int((sector_codes < 0).sum())
        if reachable < places:
            return _infeasible(
                ngettext(
                    "With at most %(cap)d commission per sector, only %(reachable)d can be "
                    "selected, fewer than the %(places)d places.",
                    "With at most %(cap)d commissions per sector, only %(reachable)d can be "
                    "selected, fewer than the %(places)d places.",
                    cap,
                )
                % {"cap": cap, "reachable": reachable, "places": places}
            )
    return None


def _solve(inst: _Instance, places: int, pinned_pos: list[int], keep: np.ndarray):
    """Build the sparse MILP over the candidates in `keep` (positions) and solve it with
    HiGHS. Returns (mask over all candidates, optimal) or None."""
    params, n = inst.params, len(keep)
    local = np.full(inst.n, -1, dtype=np.int64)
    local[keep] = np.arange(n)
    rows, cols, vals = [np.zeros(n, dtype=np.int64)], [np.arange(n)], [np.ones(n)]
    row_lb, row_ub = [np.array([places], float)], [np.array([places], float)]
    cost = [-params.merit_weight * inst.merit[keep]]
    r, v = 1, n  # next row, next variable

    # Coverage indicators y_g <= sum of x_i in group g (continuous: rewarded, so y = min(1, .)).
    for all_codes, reward in zip(inst.codes, inst.rewards, strict=True):
        members = np.nonzero(all_codes[keep] >= 0)[0]
        if reward <= 0 or not len(members):
            continue
        groups, codes = np.unique(all_codes[keep][members], return_inverse=True)
        count = len(groups)
        rows += [r + codes, r + np.arange(count)]
        cols += [members, v + np.arange(count)]
        vals += [-np.ones(len(members)), np.ones(count)]
        row_lb.append(np.full(count, -np.inf))
        row_ub.append(np.zeros(count))
        cost.append(np.full(count, -reward))
        r, v = r + count, v + count

    # Pair indicators z_ij >= x_i + x_j - 1 (continuous: penalised, so z = max(0, .)).
    inside = (local[inst.pair_i] >= 0) & (local[inst.pair_j] >= 0)
    pair_i, pair_j = local[inst.pair_i[inside]], local[inst.pair_j[inside]]
    pair_w = inst.pair_w[inside]
    npairs = len(pair_w)
    if params.similarity_penalty > 0 and npairs:
        pair_rows = r + np.arange(npairs)
        rows += [pair_rows, pair_rows, pair_rows]
        cols += [pair_i, pair_j, v + np.arange(npairs)]
        vals += [np.ones(npairs), np.ones(npairs), -np.ones(npairs)]
        row_lb.append(np.full(npairs, -np.inf))
        row_ub.append(np.ones(npairs))
        cost.append(params.similarity_penalty * pair_w)
        r, v = r + npairs, v + npairs

    sectors = inst.codes[0][keep]
    members = np.nonzero(sectors >= 0)[0]
    if params.sector_cap is not None and len(members):
        groups, codes = np.unique(sectors[members], return_inverse=True)
        rows.append(r + codes)
        cols.append(members)
        vals.append(np.ones(len(members)))
        row_lb.append(np.full(len(groups), -np.inf))
        row_ub.append(np.full(len(groups), float(params.sector_cap)))
        r += len(groups)

    matrix = sparse.csr_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r, v)
    )
    lower = np.zeros(v)
    lower[local[pinned_pos]] = 1.0
    integrality = np.zeros(v)
    integrality[:n] = 1
    res = milp(
        np.concatenate(cost),
        integrality=integrality,
        bounds=Bounds(lower, np.ones(v)),
        constraints=LinearConstraint(matrix, np.concatenate(row_lb), np.concatenate(row_ub)),
        options={"time_limit": inst.params.time_limit, "mip_rel_gap": 1e-9},
    )
    if res.x is None:
        return None
    mask = np.zeros(inst.n, dtype=bool)
    mask[keep[res.x[:n] > 0.5]] = True
    return mask, res.status == 0


def _greedy(inst: _Instance, places: int, pinned_pos: list[int]) -> list[int]:
    """Pinned ones first, then repeatedly the best marginal gain; positions in order taken
    (fewer than places when the cap per sector blocks it)."""
    params, n = inst.params, inst.n
    mask = np.zeros(n, dtype=bool)
    counts = [np.zeros(len(v), dtype=np.int64) for v in inst.values]
    pen = np.zeros(n)
    order: list[int] = []

    def take(k):
        inst.know([k])
        mask[k] = True
        order.append(k)
        for codes, count in zip(inst.codes, counts, strict=True):
            if codes[k] >= 0:
                count[codes[k]] += 1
        pen[:] += inst.column(k)

    for k in pinned_pos:
        if len(order) < places:
            take(k)
    while len(order) < places:
        gain = params.merit_weight * inst.merit - params.similarity_penalty * pen
        for codes, count, reward in zip(inst.codes, counts, inst.rewards, strict=True):
            has = codes >= 0
            if len(count):
                gain = gain + reward * (has & (count[np.where(has, codes, 0)] == 0))
        if params.sector_cap is not None and len(counts[0]):
            codes = inst.codes[0]
            has = codes >= 0
            gain[has & (counts[0][np.where(has, codes, 0)] >= params.sector_cap)] = -np.inf
        gain[mask] = -np.inf
        k = int(np.argmax(gain))  # first maximum: lowest id on ties
        if not np.isfinite(gain[k]):
            break
        take(k)
    return order


def _value(inst: _Instance, mask: np.ndarray) -> float:
    """Objective of a portfolio whose pairs are known."""
    params, sel = inst.params, np.nonzero(mask)[0]
    value = params.merit_weight * float(inst.merit[sel].sum())
    for codes, reward in zip(inst.codes, inst.rewards, strict=True):
        value += reward * len(np.unique(codes[sel][codes[sel] >= 0]))
    inside = mask[inst.pair_i] & mask[inst.pair_j]
    return value - params.similarity_penalty * float(inst.pair_w[inside].sum())


def _reduce(inst: _Instance, places: int, pinned_pos: list[int], floor: float) -> np.ndarray:
    """Positions of the candidates that can be in an optimal portfolio.

    Any portfolio holding j is worth at most: j's weighted merit, the pinned ones' and the
    best other ones' merits, and every coverage reward it could reach (penalties only
    lower it). Where that bound is below the value of a portfolio already found (floor), j
    is in no optimum, and ties are untouched: the solver never sees most of a large call.
    """
    params = inst.params
    a = params.merit_weight * inst.merit
    pinned = np.zeros(inst.n, dtype=bool)
    pinned[pinned_pos] = True
    coverage = sum(
        reward * min(places, len(values))
        for reward, values in zip(inst.rewards, inst.values, strict=True)
    )
    free = np.nonzero(~pinned)[0]
    slots = places - len(pinned_pos) - 1  # places left beside the pinned ones and j
    if slots < 0:
        return np.nonzero(pinned)[0]
    order = free[np.argsort(-a[free], kind="stable")]
    best = a[order[:slots]].sum()
    best_and_next = a[order[: slots + 1]].sum()
    among_best = np.zeros(inst.n, dtype=bool)
    among_best[order[:slots]] = True
    others = np.where(among_best, best_and_next - a, best)
    bound = a + a[pinned].sum() + others + coverage
    tolerance = 1e-6 * max(1.0, abs(floor))
    return np.nonzero(pinned | (bound >= floor - tolerance))[0]


def select(
    candidates: Sequence[Candidate],
    params: SelectionParams | None = None,
    similar_pairs: SimilarPairs = (),
    similarity=None,
) -> SelectionResult:
    """Best portfolio of `params.places` commissions; never raises on infeasible input.

    Similar pairs are given, or asked of `similarity` (a ProblemSimilarity keyed by
    candidate id) for the candidates where they matter only."""
    params = params or SelectionParams()
    candidates = list(candidates)
    similar_pairs = list(similar_pairs or ())
    error = _validate(candidates, params)
    if error is not None:
        return error
    inst = _Instance(candidates, params, similar_pairs, similarity)
    error = _check(candidates, params, inst)
    if error is not None:
        return error

    places = min(params.places, inst.n)
    pinned_pos = sorted(inst.pos[p] for p in params.pinned)
    keep = np.arange(inst.n)
    if places == 0:
        mask, optimal = np.zeros(inst.n, dtype=bool), True
    else:
        # Warm start: the greedy portfolio improved by single swaps bounds the optimum from
        # below, which rules most candidates of a large call out before the solver runs.
        warm = _greedy(inst, places, pinned_pos)
        if len(warm) == places:
            mask = np.zeros(inst.n, dtype=bool)
            mask[warm] = True
            mask = _settle(inst, mask, pinned_pos)
            keep = _reduce(inst, places, pinned_pos, _value(inst, mask))
        inst.know_among(keep)
        solved = _solve(inst, places, pinned_pos, keep)
        if solved is None:
            return _infeasible(
                _("No portfolio satisfies the pins, exclusions and cap per sector together.")
            )
        mask, optimal = solved
        mask = _settle(inst, mask, pinned_pos)
    started = time.perf_counter()
    result = _Report(candidates, params, inst, mask, optimal, places).build()
    result.objective = _value(inst, mask)
    result.considered = len(keep)
    chosen = set(result.selected)
    result.pairs = [p for p in inst.known_pairs() if p[0] in chosen or p[1] in chosen]
    result.report_seconds = time.perf_counter() - started
    return result


class _State:
    """Counts and marginal values of one portfolio (a boolean mask over inst.items)."""

    def __init__(self, inst: _Instance, mask: np.ndarray):
        self.inst, self.mask = inst, mask
        params = inst.params
        self.sel = np.nonzero(mask)[0]
        inst.know(self.sel)
        self.counts = [
            np.bincount(codes[self.sel][codes[self.sel] >= 0], minlength=len(values))
            for codes, values in zip(inst.codes, inst.values, strict=True)
        ]
        self.pen = inst.W @ mask.astype(float)  # similarity weight to the selected ones
        # value of a selected i: objective(S) - objective(S - i)
        # value of a non-selected j: objective(S + j) - objective(S)
        self.value = params.merit_weight * inst.merit - params.similarity_penalty * self.pen
        for codes, count, reward in zip(inst.codes, self.counts, inst.rewards, strict=True):
            cnt = self._count(codes, count)
            self.value += reward * np.where(mask, cnt == 1, cnt == 0)

    @staticmethod
    def _count(codes: np.ndarray, count: np.ndarray) -> np.ndarray:
        """Selected commissions sharing each candidate's value (-1 when it has none)."""
        if not len(count):
            return np.full(len(codes), -1)
        return np.where(codes >= 0, count[np.where(codes >= 0, codes, 0)], -1)

    def swap_delta(self, i: int) -> np.ndarray:
        """objective(S - i + j) - objective(S) for every j outside S; -inf if over the cap."""
        inst, params = self.inst, self.inst.params
        delta = (
            params.merit_weight * inst.merit
            - params.similarity_penalty * (self.pen - inst.column(i))
            - self.value[i]
        )
        for d, (codes, count, reward) in enumerate(
            zip(inst.codes, self.counts, inst.rewards, strict=True)
        ):
            remaining = self._count(codes, count) - ((codes == codes[i]) & (codes >= 0))
            delta = delta + reward * (remaining == 0)
            if d == 0 and params.sector_cap is not None:
                delta[remaining >= params.sector_cap] = -np.inf
        delta[self.mask] = -np.inf
        return delta


def _settle(inst: _Instance, mask: np.ndarray, pinned_pos: list[int]) -> np.ndarray:
    """Make single swaps that raise the score, or keep it and bring in a lower id.

    Each swap raises (score, -sum of positions) lexicographically, so the loop ends; at
    an optimum only exact ties move, which makes ties go to the lowest ids.
    """
    mask = mask.copy()
    pinned = set(pinned_pos)
    while True:
        state = _State(inst, mask)
        for i in sorted(set(state.sel.tolist()) - pinned, reverse=True):
            delta = state.swap_delta(i)
            better = delta > _EXACT
            better[:i] |= delta[:i] >= -_EXACT
            if better.any():
                j = int(np.argmax(better))  # lowest position among the acceptable ones
                mask[i], mask[j] = False, True
                break
        else:
            return mask


class _Report:
    """Order, explanations, coverage and summary for a chosen portfolio."""

    def __init__(self, candidates, params, inst: _Instance, mask, optimal, places):
        self.candidates, self.params, self.inst = candidates, params, inst
        self.mask, self.optimal, self.places = mask, optimal, places
        n = inst.n
        state = self.state = _State(inst, mask)
        self.sel, self.counts, self.value = state.sel, state.counts, state.value
        merits = inst.merit.tolist()  # Python floats: indexing numpy per item was slow
        self.merit_order = sorted(range(n), key=lambda k: (-merits[k], k))
        self.merit_rank = {k: r + 1 for r, k in enumerate(self.merit_order)}
        self.best_swap = self._best_swaps() if n else {}
        # Most similar selected commission of each candidate, as (position, weight).
        self.closest: dict[int, tuple[int, float]] = {}
        if len(self.sel) and inst.W.nnz:
            block = inst.W[:, self.sel].toarray()
            best = block.argmax(axis=1)
            for k in np.nonzero(block.max(axis=1) > 0)[0].tolist():
                self.closest[k] = (int(self.sel[best[k]]), float(block[k, best[k]]))

    def _at_cap(self) -> np.ndarray:
        cap = self.params.sector_cap
        codes = self.inst.codes[0]
        if cap is None or not len(self.counts[0]):
            return np.zeros(self.inst.n, dtype=bool)
        return (codes >= 0) & (self.counts[0][np.where(codes >= 0, codes, 0)] >= cap)

    def _best_swaps(self) -> dict[int, tuple[int, float]]:
        """For each non-selected j: the selected i whose swap for j costs least."""
        inst = self.inst
        pinned = {inst.pos[p] for p in self.params.pinned}
        best = np.full(inst.n, -np.inf)
        best_i = np.full(inst.n, -1)
        for i in sorted(set(self.sel.tolist()) - pinned):
            delta = self.state.swap_delta(i)
            better = delta > best + 1e-12
            best[better] = delta[better]
            best_i[better] = i
        return {j: (int(best_i[j]), float(best[j])) for j in np.nonzero(best_i >= 0)[0].tolist()}

    # --- text helpers -------------------------------------------------------------

    def _name(self, k: int) -> str:
        return self.inst.items[k].name

    def _merit_text(self, k: int) -> str:
        return _("merit %(merit)s (rank %(rank)d of %(total)d)") % {
            "merit": decimal(self.inst.merit[k]),
            "rank": self.merit_rank[k],
            "total": self.inst.n,
        }

    def _labels(self, ks: list[int]) -> str:
        names = [self._name(k) for k in ks[:3]]
        text = ", ".join(names)
        if len(ks) > 3:
            text += " " + _("and %(count)d more") % {"count": len(ks) - 3}
        return text

    def _closest_selected(self, k: int) -> tuple[int, float] | None:
        return self.closest.get(k)

    @staticmethod
    def _status(status: str, details: list[str]) -> str:
        return _("%(status)s: %(details)s") % {"status": status, "details": join("; ", details)}

    # --- explanations -------------------------------------------------------------

    def _explain_selected(self, k: int) -> str:
        inst = self.inst
        c = inst.items[k]
        details = [self._merit_text(k)]
        sector = inst.codes[0][k]
        if sector >= 0:
            in_sector = np.nonzero(inst.codes[0] == sector)[0]
            best = max(in_sector.tolist(), key=lambda j: (inst.merit[j], -j))
            if len(in_sector) == 1:
                details.append(_("the only commission in sector %(sector)s") % {"sector": c.sector})
            elif self.counts[0][sector] == 1:
                details.append(
                    _("the only one selected in sector %(sector)s") % {"sector": c.sector}
                )
            elif best == k:
                details.append(_("best merit of sector %(sector)s") % {"sector": c.sector})
        if inst.codes[1][k] >= 0 and self.counts[1][inst.codes[1][k]] == 1:
            details.append(_("the only one selected of type %(type)s") % {"type": c.ctype})
        if inst.codes[2][k] >= 0 and self.counts[2][inst.codes[2][k]] == 1:
            details.append(
                _("the only one selected in context %(context)s") % {"context": c.context}
            )
        close = self._closest_selected(k)
        if close is not None:
            details.append(
                _("kept although similar to %(other)s (%(score)d%%)")
                % {"other": self._name(close[0]), "score": round(close[1] * 100)}
            )
        value = decimal(self.value[k])
        details.append(_("adds %(value)s to the portfolio score") % {"value": value})
        status = _("Pinned by the coordinator") if c.id in self.params.pinned else _("Selected")
        return self._status(status, details)

    def _why_not(self, k: int) -> list[str]:
        inst, params = self.inst, self.params
        c = inst.items[k]
        reasons = []
        sector = inst.codes[0][k]
        if sector >= 0 and not self.counts[0][sector]:
            reasons.append(_("its sector %(sector)s is not covered yet") % {"sector": c.sector})
        elif sector >= 0:
            if params.sector_cap is not None and self.counts[0][sector] >= params.sector_cap:
                reasons.append(
                    ngettext(
                        "sector %(sector)s already has the maximum of %(cap)d commission",
                        "sector %(sector)s already has the maximum of %(cap)d commissions",
                        params.sector_cap,
                    )
                    % {"sector": c.sector, "cap": params.sector_cap}
                )
            else:
                same = [j for j in self.selected_order if inst.codes[0][j] == sector]
                reasons.append(
                    _("its sector %(sector)s is already covered by %(names)s")
                    % {"sector": c.sector, "names": self._labels(same)}
                )
        close = self._closest_selected(k)
        if close is not None:
            reasons.append(
                _("too similar to %(other)s (%(score)d%%)")
                % {"other": self._name(close[0]), "score": round(close[1] * 100)}
            )
        swap = self.best_swap.get(k)
        if swap is not None:
            other, delta = swap
            if delta > -_TIE_TOLERANCE:
                reasons.append(
                    _(
                        "swapping it for %(other)s would give the same score "
                        "(ties go to the lower id)"
                    )
                    % {"other": self._name(other)}
                )
            else:
                reasons.append(
                    _("swapping it for %(other)s would lower the portfolio score by %(loss)s")
                    % {"other": self._name(other), "loss": decimal(-delta)}
                )
        return reasons

    def _explain_waitlisted(self, k: int, position: int) -> str:
        details = [
            _("would add %(gain)s if a place opened") % {"gain": decimal(self.value[k])},
            self._merit_text(k),
        ] + self._why_not(k)
        return self._status(_("Waitlisted (#%(position)d)") % {"position": position}, details)

    # --- assembly -----------------------------------------------------------------

    def build(self) -> SelectionResult:
        inst, params = self.inst, self.params
        self.selected_order = sorted(self.sel.tolist(), key=lambda k: (-self.value[k], k))
        at_cap = self._at_cap()
        # Waitlist: commissions that fit under the cap first, then by what they would add.
        out = np.nonzero(~self.mask)[0].tolist()
        worth, capped = self.value.tolist(), at_cap.tolist()
        waitlist = sorted(out, key=lambda k: (capped[k], -round(worth[k], 9), k))

        explanations = {}
        ineligible = _(
            "Not selected: ineligible (for instance a score of 0 on an eliminatory criterion)"
        )
        excluded = _("Not selected: excluded by the coordinator")
        for c in self.candidates:
            if not c.eligible:
                explanations[c.id] = ineligible
            elif c.id in params.excluded:
                explanations[c.id] = excluded
        for k in self.selected_order:
            explanations[inst.items[k].id] = self._explain_selected(k)
        explained = waitlist if params.explained is None else waitlist[: max(0, params.explained)]
        for position, k in enumerate(explained, start=1):
            explanations[inst.items[k].id] = self._explain_waitlisted(k, position)

        coverage = {}
        for name, values, count in zip(
            ("sectors", "types", "contexts"), inst.values, self.counts, strict=True
        ):
            covered = sorted((values[g] for g in range(len(values)) if count[g]), key=str)
            missing = sorted((values[g] for g in range(len(values)) if not count[g]), key=str)
            coverage[name] = {"covered": covered, "not_covered": missing}

        return SelectionResult(
            feasible=True,
            reason="",
            selected=[inst.items[k].id for k in self.selected_order],
            waitlist=[inst.items[k].id for k in waitlist],
            explanations=explanations,
            summary=self._summary(coverage),
            coverage=coverage,
            places=self.places,
            optimal=self.optimal,
            gains={inst.ids[k]: round(worth[k], 4) for k in waitlist},
        )

    def _summary(self, coverage: dict) -> str:
        inst, params = self.inst, self.params
        parts = []
        if inst.n == 0:
            parts.append(_("No eligible commission: nothing can be selected."))
        elif self.places < params.places:
            parts.append(
                ngettext(
                    "Only %(available)d eligible commission for %(places)d places: it is selected.",
                    "Only %(available)d eligible commissions for %(places)d places: "
                    "all of them are selected.",
                    inst.n,
                )
                % {"available": inst.n, "places": params.places}
            )

        def count(name):
            return len(coverage[name]["covered"]), sum(map(len, coverage[name].values()))

        (s, s_all), (t, t_all), (x, x_all) = count("sectors"), count("types"), count("contexts")
        parts.append(
            ngettext(
                "%(selected)d commission selected out of %(available)d eligible, covering "
                "%(s)d of %(s_all)d sectors, %(t)d of %(t_all)d types and %(x)d of %(x_all)d "
                "intervention contexts.",
                "%(selected)d commissions selected out of %(available)d eligible, covering "
                "%(s)d of %(s_all)d sectors, %(t)d of %(t_all)d types and %(x)d of %(x_all)d "
                "intervention contexts.",
                len(self.sel),
            )
            % {
                "selected": len(self.sel),
                "available": inst.n,
                "s": s,
                "s_all": s_all,
                "t": t,
                "t_all": t_all,
                "x": x,
                "x_all": x_all,
            }
        )
        if params.pinned:
            parts.append(
                ngettext(
                    "%(count)d commission pinned by the coordinator.",
                    "%(count)d commissions pinned by the coordinator.",
                    len(params.pinned),
                )
                % {"count": len(params.pinned)}
            )
        for name, text in (
            ("sectors", _("Sectors not covered: %(values)s.")),
            ("types", _("Types not covered: %(values)s.")),
            ("contexts", _("Intervention contexts not covered: %(values)s.")),
        ):
            missing = coverage[name]["not_covered"]
            if missing:
                parts.append(text % {"values": join(", ", missing)})
        chosen = self.mask.tolist()
        left_out = [k for k in self.merit_order if not chosen[k]]
        if left_out:
            k = left_out[0]
            values = {"name": self._name(k), "merit": self._merit_text(k)}
            reasons = self._why_not(k)
            if reasons:
                values["reasons"] = join("; ", reasons)
                text = _("Highest-merit commission left out: %(name)s, %(merit)s: %(reasons)s.")
            else:
                text = _("Highest-merit commission left out: %(name)s, %(merit)s.")
            parts.append(text % values)
        if not self.optimal:
            parts.append(
                _(
                    "The solver stopped at its time limit: this portfolio is good but may not "
                    "be the best possible."
                )
            )
        return join(" ", parts)


def greedy_baseline(
    candidates: Sequence[Candidate],
    params: SelectionParams | None = None,
    similar_pairs: SimilarPairs = (),
    similarity=None,
) -> tuple[list, float]:
    """Pinned ones first, then repeatedly the best marginal gain (for benchmarks)."""
    params = params or SelectionParams()
    inst = _Instance(candidates, params, list(similar_pairs or ()), similarity)
    pinned_pos = sorted(inst.pos[p] for p in params.pinned if p in inst.pos)
    order = _greedy(inst, min(params.places, inst.n), pinned_pos)
    mask = np.zeros(inst.n, dtype=bool)
    mask[order] = True
    return [inst.items[k].id for k in order], _value(inst, mask)
