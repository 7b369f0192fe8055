"""Exact team formation and supervisor assignment.

Pure Python + numpy/scipy/OR-Tools: plain data in, plain data out, so it can be tested and
benchmarked without a database. User-facing strings go through ``_`` and are translated when
Django is configured.

Students -> commissions
-----------------------
Each selected commission (project) gets exactly one team whose size lies in
[min_size, max_size]; every student joins exactly one team.

*Rank-maximal* (default) maximises the number of 1st choices, then 2nd choices, ... as a
sequence of exact solves, one per rank level: level k maximises the count at rank k among the
allocations that keep every earlier optimum (count_j = opt_j). No big weights, nothing overflows.

Why each level is one small, exact min-cost flow (OR-Tools' SimpleMinCostFlow):

* Students -> commissions with two-sided team bounds is a network: a commission's minimum
  size is its demand, the slack up to its maximum an arc to a sink. Flows are integral.
* "Keep the earlier optima" is not added as ``count_j >= opt_j`` rows, which are not a
  network. Instead, complementary slackness with an optimal dual gives the optimal face
  exactly: arcs with a positive reduced cost are deleted, arcs with a negative one are full
  (a student forced onto it, a team pinned to its maximum), see ``_Network.shrink``. The
  dual is the node potentials: shortest distances on the residual graph, themselves read
  off a second min-cost flow (``_potentials``). Later levels stay pure networks and shrink
  as students get settled.
* The level-k model only holds the pairs of rank <= k. Any other placement goes through a
  "rest" arc: student -> rest node of their background -> any commission. This relaxation
  is exact: a rest student sitting on a commission they ranked j <= k could be relabelled
  onto the direct arc, raising count_j and contradicting opt_j. For the same reason, after
  the last level no rest student can sit on a commission they ranked, so the rest flow can
  be split among rest students at will.
* The sequence stops once everyone is at a solved level and skips ranks nobody can still get.
* Measured (2 cores, busy): 2000 students / 400 commissions, top-10 lists: the levels took
  0.6 s as HiGHS interior-point LPs with their duals, 0.15 s as min-cost flows. The HiGHS
  version with explicit count rows is kept as the fallback and in the tests.

*Generous* lexicographically minimises the number placed off their list, then the count at
the worst rank, the next worst, ...; the worst rank actually needed is found first (doubling,
then bisection), so long lists do not cost one solve per rank.

Secondary objectives (mutual teammate wishes, background balance, needed languages) are
weights in one final solve over the optimal face, so they can never change the rank profile.
Wish pairs need pair variables (w <= x[a,p], w <= x[b,p]), so that final solve is a MILP
when mutual wishes exist and an LP otherwise. Rest-arc students are not in wish pairs; their
background balance is kept through their group's rest node.

The profile of the final allocation is compared with every level optimum; a mismatch
(numerical trouble in the final LP) re-runs the sequence with explicit count rows.

Determinism: students and commissions are put in a canonical order (sorted ids) before the
models are built, and both OR-Tools' min-cost flow and HiGHS are deterministic, so the same
input gives the same teams.
"""

from __future__ import annotations

import random
import time
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, linprog, milp
from scipy.sparse.csgraph import breadth_first_order

from mias.i18n import Message, decimal, join, sentence, to_data
from mias.i18n import message as _
from mias.i18n import nmessage as ngettext

# Secondary weights. They only act among allocations with the same rank profile.
W_WISH = 2.0  # per mutual wish pair placed together
W_BALANCE = 1.0  # per student above/below the proportional background share
W_LANGUAGE = 0.5  # per student who speaks a language the commission needs

MODES = ("rank_maximal", "generous")


@dataclass
class Student:
    id: Hashable
    ranks: dict = field(default_factory=dict)
    background: str = ""
    languages: frozenset = frozenset()
    wishes: tuple = ()


@dataclass
class Project:
    id: Hashable
    min_size: int
    max_size: int
    languages_needed: frozenset = frozenset()
    sector: Hashable = None


@dataclass
class Supervisor:
    id: Hashable
    sectors: frozenset = frozenset()
    capacity: int = 1


@dataclass
class Allocation:
    feasible: bool
    reason: str = ""
    assignment: dict = field(default_factory=dict)
    rank_of: dict = field(default_factory=dict)
    # profile[k] = students placed on their (k+1)-th choice; len = number of commissions.
    profile: list = field(default_factory=list)
    # Students who ranked nothing: placed where they cost least, flagged here.
    unranked: list = field(default_factory=list)
    # Students who ranked some commissions but had to go to one they did not rank.
    off_list: list = field(default_factory=list)
    mean_rank: float | None = None
    explanations: dict = field(default_factory=dict)
    summary: str = ""
    size_violations: int = 0
    teams: dict = field(default_factory=dict)
    mode: str = "rank_maximal"
    wish_pairs: int = 0
    wishes_honoured: int = 0
    stats: dict = field(default_factory=dict)


@dataclass
class SupervisorAssignment:
    feasible: bool
    reason: str = ""
    assignment: dict = field(default_factory=dict)
    matched: int = 0
    explanations: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- wording


def _ordinal(n):
    if n == 1:
        return _("1st")  # own msgid: "1er" in French, whereas 21st is "21e"
    if 10 <= n % 100 <= 20:
        fmt = _("%(n)dth")
    elif n % 10 == 1:
        fmt = _("%(n)dst")
    elif n % 10 == 2:
        fmt = _("%(n)dnd")
    elif n % 10 == 3:
        fmt = _("%(n)drd")
    else:
        fmt = _("%(n)dth")
    return fmt % {"n": n}


def _canonical(items):
    """Sort by id so that the model (and thus the result) does not depend on input order."""
    items = list(items)
    try:
        return sorted(items, key=lambda x: x.id)
    except TypeError:
        return sorted(items, key=lambda x: (type(x.id).__name__, str(x.id)))


# --------------------------------------------------------------------------- instance


class _Instance:
    """Index-based view of the input: dense ranks, edge arrays, groups."""

    def __init__(self, students, projects):
        self.students = _canonical(students)
        self.projects = _canonical(projects)
        self.n = n = len(self.students)
        self.m = m = len(self.projects)
        sids = [s.id for s in self.students]
        pids = [p.id for p in self.projects]
        if len(set(sids)) != n:
            raise ValueError("duplicate student ids")
        if len(set(pids)) != m:
            raise ValueError("duplicate project ids")
        self.s_index = {sid: i for i, sid in enumerate(sids)}
        self.p_index = {pid: j for j, pid in enumerate(pids)}
        self.lo = np.array([max(int(p.min_size), 0) for p in self.projects], dtype=np.int64)
        self.hi = np.array([int(p.max_size) for p in self.projects], dtype=np.int64)

        # Dense ranks over the selected commissions: unselected ones are ignored, ties share a
        # rank, so a student's k-th choice is their k-th best among what is on offer.
        cs, cp, cr = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)], [np.zeros(0)]
        for i, s in enumerate(self.students):
            if s.ranks:
                cs.append(np.full(len(s.ranks), i, dtype=np.int64))
                cp.append(np.array([self.p_index.get(pid, -1) for pid in s.ranks], dtype=np.int64))
                cr.append(np.array(list(s.ranks.values()), dtype=float))  # None -> nan
        es, ep, raw = np.concatenate(cs), np.concatenate(cp), np.concatenate(cr)
        ok = (ep >= 0) & ~np.isnan(raw)
        es, ep, raw = es[ok], ep[ok], raw[ok]
        lo_r = raw.min(initial=0.0)
        span = raw.max(initial=0.0) - lo_r + 1
        if np.all(raw == np.round(raw)) and (n + 1) * span * (m + 1) < 2**62:
            # Usual case, integer ranks: one integer key sorts faster than lexsort.
            key = (es * int(span) + (raw - lo_r).astype(np.int64)) * (m + 1) + ep
            order = np.argsort(key, kind="stable")
        else:
            order = np.lexsort((ep, raw, es))
        es, ep, raw = es[order], ep[order], raw[order]
        first = np.r_[True, es[1:] != es[:-1]]
        step = np.cumsum(first | np.r_[True, raw[1:] != raw[:-1]])
        er = step - step[first][np.cumsum(first) - 1] + 1
        self.e_s, self.e_p, self.e_r = es, ep, er.astype(np.int64)
        bounds = np.searchsorted(es, np.arange(n + 1))
        self.n_listed = np.diff(bounds)
        ep_list, er_list = ep.tolist(), self.e_r.tolist()
        # Per student, listed commissions best first and {project index: dense rank}.
        self.prefs = [ep_list[bounds[i] : bounds[i + 1]] for i in range(n)]
        self.rank = [
            dict(zip(self.prefs[i], er_list[bounds[i] : bounds[i + 1]], strict=True))
            for i in range(n)
        ]
        self.max_rank = int(self.e_r.max()) if len(er) else 0
        self.off = m + 1  # level id for "placed on a commission they did not rank"
        by_rank = np.argsort(self.e_r, kind="stable")
        cuts = np.searchsorted(self.e_r[by_rank], np.arange(self.max_rank + 2))
        self.at_rank = [by_rank[cuts[k] : cuts[k + 1]] for k in range(self.max_rank + 1)]

        names = sorted({s.background or "" for s in self.students})
        self.bg_names = names
        bg_pos = {b: g for g, b in enumerate(names)}
        self.bg = np.array([bg_pos[s.background or ""] for s in self.students], dtype=np.int64)

        self.needed = needed = [frozenset(p.languages_needed or ()) for p in self.projects]
        langs = sorted(set().union(*needed), key=str) if needed else []
        lpos = {lang: k for k, lang in enumerate(langs)}
        speaks_l = np.zeros((n, len(langs)), dtype=bool)
        for i, s in enumerate(self.students):
            for lang in s.languages or ():
                if lang in lpos:
                    speaks_l[i, lpos[lang]] = True
        needs_l = np.zeros((m, len(langs)), dtype=bool)
        for j, need in enumerate(needed):
            needs_l[j, [lpos[lang] for lang in need]] = True
        self.speaks = (speaks_l[es] & needs_l[ep]).any(axis=1)

        pairs = set()
        for s in self.students:
            for w in s.wishes or ():
                if w == s.id or w not in self.s_index:
                    continue
                other = self.students[self.s_index[w]]
                if s.id in (other.wishes or ()):
                    a, b = self.s_index[s.id], self.s_index[w]
                    pairs.add((min(a, b), max(a, b)))
        self.wish_pairs = sorted(pairs)

    def infeasibility(self):
        n, m = self.n, self.m
        for p, lo, hi in zip(self.projects, self.lo, self.hi, strict=True):
            if hi < lo:
                return _(
                    "Commission %(commission)s has a minimum team size (%(min)d) above its "
                    "maximum (%(max)d)."
                ) % {"commission": p.id, "min": lo, "max": hi}
        if m == 0:
            if n == 0:
                return ""
            return _("%(students)d students but no commission selected.") % {"students": n}
        need, room = int(self.lo.sum()), int(self.hi.sum())
        uniform = len(set(self.lo.tolist())) == 1 and len(set(self.hi.tolist())) == 1
        if n < need:
            if uniform:
                return _(
                    "%(students)d students cannot fill %(teams)d teams of at least %(min)d "
                    "(%(needed)d needed)."
                ) % {"students": n, "teams": m, "min": int(self.lo[0]), "needed": need}
            return _(
                "%(students)d students cannot fill %(teams)d teams at their minimum sizes "
                "(%(needed)d needed)."
            ) % {"students": n, "teams": m, "needed": need}
        if n > room:
            if uniform:
                return _(
                    "%(students)d students exceed %(teams)d teams of at most %(max)d "
                    "(%(places)d places)."
                ) % {"students": n, "teams": m, "max": int(self.hi[0]), "places": room}
            return _(
                "%(students)d students exceed %(teams)d teams at their maximum sizes "
                "(%(places)d places)."
            ) % {"students": n, "teams": m, "places": room}
        return ""


# --------------------------------------------------------------------------- model

LP_METHOD = "highs-ipm"  # measured faster than dual simplex on these degenerate networks


class _Face:
    """What the levels solved so far still allow: the exact lex-optimal face.

    A positive reduced cost (or nonzero row dual) in one optimal dual solution forces that
    variable to 0 (that row to its bound) in every optimal solution, and every feasible point
    that obeys all of them is optimal. So deleting arcs and tightening team bounds describes
    the optimal face exactly and keeps a pure network: no dense ``count_j >= opt_j`` rows,
    and each level's LP only keeps what can still happen.
    """

    def __init__(self, inst):
        self.edge = np.ones(len(inst.e_r), dtype=bool)
        self.rest = np.ones(inst.n, dtype=bool)
        self.flow = np.ones((len(inst.bg_names), inst.m), dtype=bool)
        self.lo = inst.lo.astype(float)
        self.hi = inst.hi.astype(float)


class _Model:
    """Students -> (listed commission | rest node of their background) -> commissions.

    ``upto``: listed arcs of rank <= upto are explicit; by default a student reaches everything
    else through the rest arc. ``fixed``: optional explicit (level, lower, upper) count rows.
    """

    def __init__(self, inst, face, upto, fixed=(), rest_for=None, secondary=False, balance=True):
        self.inst = inst
        n, m = inst.n, inst.m
        considered = inst.e_r <= upto
        self.eidx = eidx = np.flatnonzero(face.edge & considered)
        es, ep, er = inst.e_s[eidx], inst.e_p[eidx], inst.e_r[eidx]
        ne = len(eidx)
        if rest_for is None:
            rest_for = np.bincount(inst.e_s[considered], minlength=n) < m
        self.rest = rest = np.flatnonzero(face.rest & rest_for)
        ny = len(rest)
        groups = np.unique(inst.bg[rest])
        gpos = np.full(len(inst.bg_names), -1, dtype=np.int64)
        gpos[groups] = np.arange(len(groups))
        zl, zp = np.nonzero(face.flow[groups])
        self.zg, self.zp = zg, zp = groups[zl], zp
        nz = len(zp)
        ng = len(groups)
        self.ne, self.ny, self.nz = ne, ny, nz
        ox, oy, oz = 0, ne, ne + ny
        nvar = ne + ny + nz

        rows, cols, vals, lb, ub = [], [], [], [], []

        def add(r, c, v):
            r = np.asarray(r, dtype=np.int64)
            rows.append(r)
            cols.append(np.asarray(c, dtype=np.int64))
            vals.append(np.broadcast_to(np.asarray(v, dtype=float), r.shape).copy())

        # Each student exactly once.
        add(es, ox + np.arange(ne), 1.0)
        add(rest, oy + np.arange(ny), 1.0)
        lb.append(np.ones(n))
        ub.append(np.ones(n))
        row = n
        # Rest node conservation.
        add(row + gpos[inst.bg[rest]], oy + np.arange(ny), 1.0)
        add(row + gpos[zg], oz + np.arange(nz), -1.0)
        lb.append(np.zeros(ng))
        ub.append(np.zeros(ng))
        row += ng
        # Team sizes.
        self.prow = row
        add(row + ep, ox + np.arange(ne), 1.0)
        add(row + zp, oz + np.arange(nz), 1.0)
        lb.append(face.lo)
        ub.append(face.hi)
        row += m
        for level, lo_v, hi_v in fixed:
            if level == inst.off:
                add(np.full(ny, row), oy + np.arange(ny), 1.0)
            else:
                sel = np.flatnonzero(er == level)
                add(np.full(len(sel), row), ox + sel, 1.0)
            lb.append([lo_v])
            ub.append([hi_v])
            row += 1

        cost = [np.zeros(nvar)]
        var_ub = [np.full(nvar, np.inf)]
        integ = [np.ones(nvar, dtype=np.int64)]
        self.n_pair_vars = 0
        if secondary:
            extra = nvar
            if balance and len([b for b in inst.bg_names if b]) >= 2:
                # Soft band [floor, ceil] around the proportional share at a typical size.
                size_guess = np.clip(n / m, inst.lo, inst.hi)
                counts = np.bincount(inst.bg, minlength=len(inst.bg_names))
                for g, name in enumerate(inst.bg_names):
                    if not name:
                        continue
                    target = counts[g] / n * size_guess
                    selg = np.flatnonzero(inst.bg[es] == g)
                    add(row + ep[selg], ox + selg, 1.0)
                    selz = np.flatnonzero(zg == g)
                    add(row + zp[selz], oz + selz, 1.0)
                    # count + under - over within [floor, ceil]
                    add(row + np.arange(m), extra + np.arange(m), 1.0)
                    add(row + np.arange(m), extra + m + np.arange(m), -1.0)
                    lb.append(np.floor(target + 1e-9))
                    ub.append(np.ceil(target - 1e-9))
                    cost.append(np.full(2 * m, W_BALANCE))
                    var_ub.append(np.full(2 * m, np.inf))
                    integ.append(np.zeros(2 * m, dtype=np.int64))
                    row += m
                    extra += 2 * m
            if balance:
                cost[0][ox : ox + ne] -= W_LANGUAGE * inst.speaks[eidx]
            # Mutual wishes: w <= x[a,p] and w <= x[b,p] where both reach p directly.
            if inst.wish_pairs:
                arcs = {}
                for k, (s, p) in enumerate(zip(es.tolist(), ep.tolist(), strict=True)):
                    arcs.setdefault(s, {})[p] = k
                for a, b in inst.wish_pairs:
                    mine, theirs = arcs.get(a, {}), arcs.get(b, {})
                    for p in sorted(mine.keys() & theirs.keys()):
                        ka, kb = mine[p], theirs[p]
                        add([row, row + 1], [extra, extra], 1.0)
                        add([row, row + 1], [ox + ka, ox + kb], -1.0)
                        lb.append([-np.inf, -np.inf])
                        ub.append([0.0, 0.0])
                        cost.append(np.array([-W_WISH]))
                        var_ub.append(np.ones(1))
                        integ.append(np.zeros(1, dtype=np.int64))
                        row += 2
                        extra += 1
                        self.n_pair_vars += 1
            nvar = extra

        self.nvar = nvar
        self.A = sparse.csr_array(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(row, nvar),
        )
        self.lb = np.concatenate([np.asarray(x, dtype=float) for x in lb])
        self.ub = np.concatenate([np.asarray(x, dtype=float) for x in ub])
        self.cost = np.concatenate(cost)
        self.var_ub = np.concatenate(var_ub)
        self.integ = np.concatenate(integ)
        self.er = er
        self.n_structural = ne + ny + nz

    def level_cost(self, level, sign):
        c = np.zeros(self.nvar)
        if level == self.inst.off:
            c[self.ne : self.ne + self.ny] = sign
        else:
            c[: self.ne][self.er == level] = sign
        return c

    def _count(self, stats, t0):
        stats["solves"] = stats.get("solves", 0) + 1
        stats["solver_seconds"] = stats.get("solver_seconds", 0.0) + time.perf_counter() - t0

    def lp(self, c, stats):
        """HiGHS LP with duals: (result or None if infeasible)."""
        t0 = time.perf_counter()
        eq = self.lb == self.ub
        up = ~eq & np.isfinite(self.ub)
        dn = ~eq & np.isfinite(self.lb)
        A = self.A
        res = linprog(
            c,
            A_ub=sparse.vstack([A[up], -A[dn]]).tocsr() if (up.any() or dn.any()) else None,
            b_ub=np.concatenate([self.ub[up], -self.lb[dn]]) if (up.any() or dn.any()) else None,
            A_eq=A[eq],
            b_eq=self.lb[eq],
            bounds=np.column_stack([np.zeros(self.nvar), self.var_ub]),
            method=LP_METHOD,
        )
        self._count(stats, t0)
        if res.status == 2:
            return None
        if res.status != 0:
            raise RuntimeError(f"HiGHS failed: {res.message}")
        return res

    def milp(self, c, stats, integral):
        t0 = time.perf_counter()
        res = milp(
            c,
            constraints=LinearConstraint(self.A, self.lb, self.ub),
            bounds=Bounds(np.zeros(self.nvar), self.var_ub),
            integrality=self.integ if integral else np.zeros(self.nvar, dtype=np.int64),
        )
        self._count(stats, t0)
        if res.status != 0 or res.x is None:
            raise RuntimeError(f"HiGHS failed: {res.message}")
        return res

    def integral_x(self, res):
        x = res.x[: self.n_structural]
        return np.abs(x - np.round(x)).max(initial=0.0) <= 1e-6


def _potentials(nodes, tail, head, cost):
    """Shortest distances from a virtual source to every node of a graph without negative
    cycles. A min-cost flow sends one unit from the source to each node: every arc carrying
    flow lies on a shortest path, so summing costs down that flow's BFS tree gives them.
    (Bellman-Ford on these long alternating paths measured 10x slower than the flow.)
    """
    src = nodes
    tails = np.concatenate([np.full(nodes, src), tail])
    heads = np.concatenate([np.arange(nodes), head])
    costs = np.concatenate([np.zeros(nodes, dtype=np.int64), cost])
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, np.full(len(tails), nodes), costs)
    flow.set_nodes_supplies(np.arange(nodes + 1), np.r_[np.full(nodes, -1), nodes])
    if flow.solve() != flow.OPTIMAL:
        raise RuntimeError("shortest paths on the residual graph failed")
    used = np.flatnonzero(flow.flows(np.arange(len(tails))) > 0)
    tree = sparse.csr_array(
        (np.ones(len(used)), (tails[used], heads[used])), shape=(nodes + 1, nodes + 1)
    )
    _order, pred = breadth_first_order(tree, src, directed=True, return_predecessors=True)
    pred[src] = src
    # Cost of the tree arc into each node, then sums to the root by pointer doubling.
    key = tails[used] * (nodes + 1) + heads[used]
    srt = np.argsort(key, kind="stable")
    at = np.searchsorted(key[srt], pred * (nodes + 1) + np.arange(nodes + 1))
    step = costs[used][srt][np.minimum(at, len(used) - 1)]
    step[src] = 0  # the root has no arc in
    while np.any(pred != src):
        step = step + step[pred]
        pred = pred[pred]
    return step[:nodes]


class _Network:
    """One level as a min-cost flow (OR-Tools), on the same face as ``_Model``.

    Nodes: students, one rest node per background, commissions, a sink. A commission's
    minimum size is its demand; the arc to the sink carries what lies between the bounds.
    Flows are integral by construction. After a solve, node potentials (shortest distances
    on the residual graph) give an optimal dual, and ``shrink`` keeps the optimal face
    exactly as the LP duals did: positive reduced cost -> arc deleted, negative -> arc full.
    """

    def __init__(self, inst, face, upto, rest_for=None):
        self.inst = inst
        n, m = inst.n, inst.m
        g_count = len(inst.bg_names)
        considered = inst.e_r <= upto
        eidx = np.flatnonzero(face.edge & considered)
        if rest_for is None:
            rest_for = np.bincount(inst.e_s[considered], minlength=n) < m
        self.rest = np.flatnonzero(face.rest & rest_for)
        # Students left with a single listed arc are settled: their place is taken off the
        # commission's bounds instead of being solved again (later levels shrink).
        ways = np.bincount(inst.e_s[eidx], minlength=n)
        ways[self.rest] += 1
        one = ways[inst.e_s[eidx]] == 1
        self.settled, self.eidx = eidx[one], eidx[~one]
        moving = np.ones(n, dtype=np.int64)
        moving[inst.e_s[self.settled]] = 0
        taken = np.bincount(inst.e_p[self.settled], minlength=m)
        groups = np.zeros(g_count, dtype=bool)
        groups[inst.bg[self.rest]] = True
        self.zg, self.zp = np.nonzero(face.flow & groups[:, None])
        self.lo = face.lo.astype(np.int64)
        self.hi = face.hi.astype(np.int64)
        og, op, sink = n, n + g_count, n + g_count + m
        self.nodes = sink + 1
        ne, ny, nz = len(self.eidx), len(self.rest), len(self.zg)
        self.ne, self.ny, self.nz = ne, ny, nz
        self.tail = np.concatenate(
            [inst.e_s[self.eidx], self.rest, og + self.zg, op + np.arange(m)]
        ).astype(np.int64)
        self.head = np.concatenate(
            [op + inst.e_p[self.eidx], og + inst.bg[self.rest], op + self.zp, np.full(m, sink)]
        ).astype(np.int64)
        # Rest-node arcs never fill up (n + 1), so none of them is ever forced full.
        self.cap = np.concatenate(
            [np.ones(ne + ny, dtype=np.int64), np.full(nz, n + 1), self.hi - self.lo]
        )
        self.supply = np.concatenate(
            [
                moving,
                np.zeros(g_count, dtype=np.int64),
                taken - self.lo,
                [-(n - int(self.lo.sum()))],
            ]
        )

    def level_cost(self, level, sign):
        cost = np.zeros(len(self.tail), dtype=np.int64)
        if level == self.inst.off:
            cost[self.ne : self.ne + self.ny] = sign
        else:
            cost[: self.ne][self.inst.e_r[self.eidx] == level] = sign
        return cost

    def solve(self, cost, stats):
        """Flow on every arc, or None if no allocation fits the face."""
        t0 = time.perf_counter()
        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(self.tail, self.head, self.cap, cost)
        flow.set_nodes_supplies(np.arange(self.nodes), self.supply)
        status = flow.solve()
        stats["solves"] = stats.get("solves", 0) + 1
        stats["solver_seconds"] = stats.get("solver_seconds", 0.0) + time.perf_counter() - t0
        if status == flow.INFEASIBLE:
            return None
        if status != flow.OPTIMAL:
            raise RuntimeError(f"min-cost flow failed: {status}")
        return flow.flows(np.arange(len(self.tail)))

    def shrink(self, face, cost, flow):
        """Restrict the face to the optimal solutions of the flow just solved."""
        inst = self.inst
        free, used = flow < self.cap, flow > 0
        dist = _potentials(
            self.nodes,
            np.concatenate([self.tail[free], self.head[used]]),
            np.concatenate([self.head[free], self.tail[used]]),
            np.concatenate([cost[free], -cost[used]]),
        )
        rc = cost + dist[self.tail] - dist[self.head]
        dead, full = rc > 0, rc < 0
        ne, ny, nz = self.ne, self.ny, self.nz
        face.edge[self.eidx[dead[:ne]]] = False
        face.rest[self.rest[dead[ne : ne + ny]]] = False
        # A student forced onto a listed arc loses every other one and the rest arc; one
        # forced onto the rest arc loses the listed arcs of this model only, since later
        # levels open theirs from the rest path.
        on_arc = np.zeros(inst.n, dtype=bool)
        on_arc[inst.e_s[self.eidx[full[:ne]]]] = True
        keep = np.zeros(len(face.edge), dtype=bool)
        keep[self.eidx[full[:ne]]] = True
        face.edge &= keep | ~on_arc[inst.e_s]
        face.rest &= ~on_arc
        on_rest = np.zeros(inst.n, dtype=bool)
        on_rest[self.rest[full[ne : ne + ny]]] = True
        face.edge[self.eidx[on_rest[inst.e_s[self.eidx]]]] = False
        dz = dead[ne + ny : ne + ny + nz]
        face.flow[self.zg[dz], self.zp[dz]] = False
        # Team sizes: nothing above the minimum (dead) or full to the maximum (full).
        at_lo, at_hi = dead[ne + ny + nz :], full[ne + ny + nz :]
        face.hi[at_lo] = face.lo[at_lo]
        face.lo[at_hi] = face.hi[at_hi]


# --------------------------------------------------------------------------- students


def _open_level(inst, face, k):
    """Rank-k arcs were rest paths until now: keep them only if that path was still open."""
    new = inst.at_rank[k]
    s = inst.e_s[new]
    face.edge[new] &= face.rest[s] & face.flow[inst.bg[s], inst.e_p[new]]


def _level(inst, face, upto, level, sign, fixed, use_face, stats, rest_for=None):
    if use_face:
        net = _Network(inst, face, upto, rest_for=rest_for)
        cost = net.level_cost(level, int(sign))
        flow = net.solve(cost, stats)
        opt = int(flow[cost != 0].sum())
        if level != inst.off:
            opt += int(np.count_nonzero(inst.e_r[net.settled] == level))
        net.shrink(face, cost, flow)
        stats["levels"].append([level, opt])
        return opt
    model = _Model(inst, face, upto, fixed=fixed, rest_for=rest_for)
    res = model.lp(model.level_cost(level, sign), stats)
    # Only the value and the duals are used here, and the LP value over an integral polytope
    # is the integer optimum; the count is kept as a health check.
    if not model.integral_x(res):
        stats["fractional"] = stats.get("fractional", 0) + 1
    opt = int(round(sign * res.fun))
    stats["levels"].append([level, opt])
    return opt


def _ranked_levels(inst, stats, use_face=True):
    """Rank-maximal: maximise the count at rank 1, then 2, ... one exact LP per level."""
    face, fixed, placed, upto = _Face(inst), [], 0, 0
    listing = int(np.count_nonzero(inst.n_listed))
    for k in range(1, inst.max_rank + 1):
        if placed == listing:
            break  # everyone who ranked sits at a solved level: later levels are all 0
        new = inst.at_rank[k]
        if not len(new):
            continue
        upto = k
        if use_face:
            _open_level(inst, face, k)
            if not face.edge[new].any():
                continue  # nothing can change at this level
        opt = _level(inst, face, k, k, -1.0, fixed, use_face, stats)
        fixed.append((k, opt, np.inf))
        placed += opt
    return face, fixed, upto, None


def _generous_levels(inst, stats, use_face=True):
    """Generous: minimise placements off the lists, then at the worst rank, the next worst...

    Here the rest arc only means "off their list", so only students with unranked
    commissions get one, whatever ``upto`` is.
    """
    face, fixed = _Face(inst), []
    rest_for = inst.n_listed < inst.m
    if np.any((inst.n_listed > 0) & rest_for):  # else the off-list count is a constant
        opt = _level(inst, face, inst.max_rank, inst.off, 1.0, fixed, use_face, stats, rest_for)
        fixed.append((inst.off, -np.inf, opt))

    def feasible(k):
        if use_face:
            net = _Network(inst, face, k, rest_for=rest_for)
            return net.solve(np.zeros(len(net.tail), dtype=np.int64), stats) is not None
        model = _Model(inst, face, k, fixed, rest_for=rest_for)
        return model.lp(np.zeros(model.nvar), stats) is not None

    # Worst rank that must be used: doubling then bisection, so long lists stay cheap
    # (the answer is usually small). Worse ranks are 0 in every optimum and are dropped.
    top = inst.max_rank
    if top:
        lo_k, hi_k = 1, 1
        while hi_k < top and not feasible(hi_k):
            lo_k, hi_k = hi_k + 1, min(2 * hi_k, top)
        while lo_k < hi_k:
            mid = (lo_k + hi_k) // 2
            lo_k, hi_k = (lo_k, mid) if feasible(mid) else (mid + 1, hi_k)
        top = hi_k
    stats["worst_rank_needed"] = top
    for k in range(top, 1, -1):
        if not face.edge[inst.at_rank[k]].any():
            continue
        opt = _level(inst, face, top, k, 1.0, fixed, use_face, stats, rest_for)
        fixed.append((k, -np.inf, opt))
    return face, fixed, top, rest_for


def _final_assignment(inst, face, fixed, upto, rest_for, balance, use_face, stats):
    model = _Model(
        inst,
        face,
        upto,
        fixed=() if use_face else fixed,
        rest_for=rest_for,
        secondary=True,
        balance=balance,
    )
    wishes = model.n_pair_vars > 0
    stats["final_milp"] = wishes
    res = model.milp(model.cost, stats, integral=wishes)
    if not model.integral_x(res):
        stats["fractional"] = stats.get("fractional", 0) + 1
        res = model.milp(model.cost, stats, integral=True)
    x = np.round(res.x[: model.n_structural]).astype(np.int64)
    assign = np.full(inst.n, -1, dtype=np.int64)
    chosen = np.flatnonzero(x[: model.ne] == 1)
    assign[inst.e_s[model.eidx[chosen]]] = inst.e_p[model.eidx[chosen]]
    # Split each rest group's flow among its students. No split can change the profile, so
    # prefer speakers of the languages a commission needs.
    y = x[model.ne : model.ne + model.ny]
    z = x[model.ne + model.ny :]
    rest_students = model.rest[y == 1]
    for g in np.unique(inst.bg[rest_students]):
        members = rest_students[inst.bg[rest_students] == g]
        sel = model.zg == g
        slots = np.repeat(model.zp[sel], z[sel])
        cost = np.zeros((len(members), len(slots)))
        for a, s in enumerate(members):
            langs = frozenset(inst.students[s].languages or ())
            if langs:
                cost[a] = [-1.0 if inst.needed[p] & langs else 0.0 for p in slots]
        ri, ci = linear_sum_assignment(cost)
        assign[members[ri]] = slots[ci]
    return assign


def _solve_exact(inst, mode, balance, stats, use_face=True):
    levels = _ranked_levels if mode == "rank_maximal" else _generous_levels
    stats["levels"] = []
    face, fixed, upto, rest_for = levels(inst, stats, use_face)
    assign = _final_assignment(inst, face, fixed, upto, rest_for, balance, use_face, stats)
    # The profile must match every level optimum; if it did not (numerical trouble with the
    # duals), redo the whole sequence with explicit count rows.
    counts = {}
    for i in range(inst.n):
        r = inst.rank[i].get(int(assign[i]), inst.off)
        counts[r] = counts.get(r, 0) + 1
    if use_face and any(counts.get(level, 0) != opt for level, opt in stats["levels"]):
        stats["face_fallback"] = True
        return _solve_exact(inst, mode, balance, stats, use_face=False)
    return assign


def _team_sizes(inst, assign):
    return np.bincount(assign[assign >= 0], minlength=inst.m)


def _result(inst, assign, mode, stats, explain):
    n, m = inst.n, inst.m
    pid = [p.id for p in inst.projects]
    sid = [s.id for s in inst.students]
    profile = [0] * m
    rank_of, unranked, off_list, ranks = {}, [], [], []
    student_rank = np.zeros(n, dtype=np.int64)
    for i in range(n):
        r = inst.rank[i].get(int(assign[i]))
        if r is None:
            rank_of[sid[i]] = None
            (off_list if inst.rank[i] else unranked).append(sid[i])
        else:
            rank_of[sid[i]] = r
            profile[r - 1] += 1
            ranks.append(r)
            student_rank[i] = r
    teams = {p: [] for p in pid}
    for i in range(n):
        teams[pid[assign[i]]].append(sid[i])
    sizes = _team_sizes(inst, assign)
    violations = int(np.maximum(inst.lo - sizes, 0).sum() + np.maximum(sizes - inst.hi, 0).sum())
    honoured = sum(1 for a, b in inst.wish_pairs if assign[a] == assign[b])
    alloc = Allocation(
        feasible=True,
        assignment={sid[i]: pid[assign[i]] for i in range(n)},
        rank_of=rank_of,
        profile=profile,
        unranked=unranked,
        off_list=off_list,
        mean_rank=float(np.mean(ranks)) if ranks else None,
        size_violations=violations,
        teams=teams,
        mode=mode,
        wish_pairs=len(inst.wish_pairs),
        wishes_honoured=honoured,
        stats=stats,
    )
    alloc.explanations = explain(inst, assign, student_rank, sizes)
    alloc.summary = _summary(alloc, n)
    return alloc


def _summary(alloc, n):
    parts = []
    profile = alloc.profile
    if profile:
        parts.append(
            ngettext(
                "%(count)d of %(total)d students got their %(choice)s choice",
                "%(count)d of %(total)d students got their %(choice)s choice",
                profile[0],
            )
            % {"count": profile[0], "total": n, "choice": _ordinal(1)}
        )
    shown = [(k + 1, c) for k, c in enumerate(profile[1:], start=1) if c]
    for r, c in shown[:5]:
        parts.append(_("%(count)d their %(choice)s") % {"count": c, "choice": _ordinal(r)})
    if len(shown) > 5:
        parts.append(
            _("%(count)d lower down their lists") % {"count": sum(c for _r, c in shown[5:])}
        )
    text = join(", ", parts)
    tail = []
    worst = max((k + 1 for k, c in enumerate(profile) if c), default=0)
    if not alloc.off_list and worst:
        tail.append(_("no one below %(choice)s") % {"choice": _ordinal(worst)})
    if alloc.mean_rank is not None:
        # Said beside the off-list count: the mean leaves those students out.
        placed = sum(profile)
        tail.append(
            ngettext(
                "mean choice %(mean)s for the %(count)d student placed on their list",
                "mean choice %(mean)s for the %(count)d students placed on their list",
                placed,
            )
            % {"mean": decimal(alloc.mean_rank), "count": placed}
        )
    count = len(alloc.off_list)
    if count:
        tail.append(
            ngettext(
                "%(count)d placed on a commission they did not rank",
                "%(count)d placed on a commission they did not rank",
                count,
            )
            % {"count": count}
        )
    count = len(alloc.unranked)
    if count:
        tail.append(
            ngettext(
                "%(count)d did not rank and was placed where a place was left",
                "%(count)d did not rank and were placed where places were left",
                count,
            )
            % {"count": count}
        )
    count = alloc.size_violations
    if count:
        tail.append(
            ngettext(
                "%(count)d place missing or in excess of the team size limits",
                "%(count)d places missing or in excess of the team size limits",
                count,
            )
            % {"count": count}
        )
    if alloc.wish_pairs:
        tail.append(
            ngettext(
                "%(honoured)d of %(pairs)d mutual teammate wish honoured",
                "%(honoured)d of %(pairs)d mutual teammate wishes honoured",
                alloc.wish_pairs,
            )
            % {"honoured": alloc.wishes_honoured, "pairs": alloc.wish_pairs}
        )
    if tail:
        text = join("; ", [text, *tail]) if text else join("; ", tail)
    return sentence(text) if text else ""


def _fill(template, **params):
    """``template % params`` for a message whose parameters are all %s: the same text and
    data as Message.__mod__, without rendering the data again (thousands per run)."""
    text = str.__mod__(template, {k: str(v) for k, v in params.items()})
    return Message(text, {**template.data, "a": {k: to_data(v) for k, v in params.items()}})


def _concat(*parts):
    return Message("".join(str(p) for p in parts), {"j": "", "l": [to_data(p) for p in parts]})


def _explain_exact(inst, assign, student_rank, sizes):
    pid = [p.id for p in inst.projects]
    members = [[] for _p in range(inst.m)]
    for i in range(inst.n):
        members[assign[i]].append(i)
    mate = {}
    for a, b in inst.wish_pairs:
        if assign[a] == assign[b]:
            mate[a], mate[b] = b, a
    # Each message is looked up once per run, each ordinal made once.
    unranked = _("Did not rank: placed where a place was left (%(commission)s).")
    first = _("Placed on their %(choice)s choice (%(commission)s).")
    placed = _("Placed on their %(choice)s choice (%(commission)s)")
    off = _("Placed on %(commission)s, which they did not rank")
    higher = _("their %(choice)s choice (%(other)s) was full with students who ranked it higher")
    as_high = _(
        "their %(choice)s choice (%(other)s) was full with students who ranked it at least as high"
    )
    full_moved = _(
        "their %(choice)s choice (%(other)s) was full; giving them a place there would have "
        "moved other students further down their lists"
    )
    room = _(
        "their %(choice)s choice (%(other)s) had room, but every team must reach its minimum "
        "size and moving them would have placed other students lower on their lists"
    )
    with_mate = _("Placed with %(mate)s, as both asked.")
    ordinals = {}

    def ordinal(r):
        if r not in ordinals:
            ordinals[r] = _ordinal(r)
        return ordinals[r]

    out = {}
    for i, s in enumerate(inst.students):
        p = int(assign[i])
        mine = inst.rank[i]
        r = int(student_rank[i])
        if not mine:
            text = _fill(unranked, commission=pid[p])
        elif r == 1:
            text = _fill(first, choice=ordinal(1), commission=pid[p])
        else:
            best = min(mine, key=lambda j: (mine[j], j))
            others = [inst.rank[t].get(best) for t in members[best]]
            full = sizes[best] >= inst.hi[best]
            if r:
                head = _fill(placed, choice=ordinal(r), commission=pid[p])
            else:
                head = _fill(off, commission=pid[p])
            if full and all(o is not None and o < mine[best] for o in others):
                reason = higher
            elif full and all(o is not None and o <= mine[best] for o in others):
                reason = as_high
            elif full:
                reason = full_moved
            else:
                reason = room
            reason = _fill(reason, choice=ordinal(mine[best]), other=pid[best])
            text = _concat(head, ": ", reason, ".")
        if i in mate:
            text = _concat(text, " ", _fill(with_mate, mate=inst.students[mate[i]].id))
        out[s.id] = text
    return out


def allocate_students(students, projects, mode="rank_maximal", balance=True):
    """Exact allocation of students to commission teams (see module docstring)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    t0 = time.perf_counter()
    inst = _Instance(students, projects)
    reason = inst.infeasibility()
    if reason:
        return Allocation(feasible=False, reason=reason, summary=reason, mode=mode)
    stats = {"mode": mode}
    if inst.n == 0:
        return _result(inst, np.zeros(0, dtype=np.int64), mode, stats, _explain_exact)
    assign = _solve_exact(inst, mode, balance, stats)
    stats["seconds"] = time.perf_counter() - t0
    return _result(inst, assign, mode, stats, _explain_exact)


# --------------------------------------------------------------------------- greedy


def serial_dictatorship(students, projects, seed=0):
    """Baseline: students in a seeded random order take their best choice with room.

    A repair pass then fills teams below their minimum by moving students who ranked the
    short commission (or ranked nothing) out of teams that can spare them; whatever cannot
    be repaired is reported in ``size_violations``.
    """
    t0 = time.perf_counter()
    inst = _Instance(students, projects)
    reason = inst.infeasibility()
    if reason:
        return Allocation(feasible=False, reason=reason, summary=reason, mode="greedy")
    n, m = inst.n, inst.m
    order = list(range(n))
    random.Random(seed).shuffle(order)
    turn = {s: t for t, s in enumerate(order)}
    size = np.zeros(m, dtype=np.int64)
    assign = np.full(n, -1, dtype=np.int64)
    how = {}
    prefs = inst.prefs
    left = []
    for s in order:
        for j in prefs[s]:
            if size[j] < inst.hi[j]:
                assign[s], how[s] = j, "chose"
                size[j] += 1
                break
        else:
            left.append(s)
    for s in left:
        # Biggest shortfall first, then most room.
        j = min(range(m), key=lambda j: (-(inst.lo[j] - size[j]), -(inst.hi[j] - size[j]), j))
        assign[s], how[s] = j, "left"
        size[j] += 1
    no_ranks = [s for s in range(n) if not inst.rank[s]]
    worst = m + 1
    for j in range(m):
        if size[j] >= inst.lo[j]:
            continue
        candidates = inst.e_s[inst.e_p == j].tolist() + no_ranks
        while size[j] < inst.lo[j]:
            best, best_key = None, None
            for s in candidates:
                q = assign[s]
                if q == j or size[q] <= inst.lo[q]:
                    continue
                loss = inst.rank[s].get(j, worst) - inst.rank[s].get(int(q), worst)
                key = (loss, turn[s])
                if best_key is None or key < best_key:
                    best, best_key = s, key
            if best is None:
                break
            size[assign[best]] -= 1
            assign[best], how[best] = j, "moved"
            size[j] += 1

    def explain(inst, assign, student_rank, sizes):
        pid = [p.id for p in inst.projects]
        out = {}
        for i, s in enumerate(inst.students):
            args = {"commission": pid[assign[i]], "turn": turn[i] + 1, "total": n}
            if how[i] == "chose":
                args["choice"] = _ordinal(int(student_rank[i]))
                text = _(
                    "Took %(commission)s, their %(choice)s choice, at their turn (%(turn)d of "
                    "%(total)d)."
                )
            elif how[i] == "moved":
                text = _("Moved to %(commission)s to bring that team up to its minimum size.")
            elif inst.rank[i]:
                text = _(
                    "Every commission they ranked was full at their turn (%(turn)d of "
                    "%(total)d): placed on %(commission)s."
                )
            else:
                text = _("Did not rank: placed where a place was left (%(commission)s).")
            out[s.id] = text % args
        return out

    stats = {"mode": "greedy", "seed": seed}
    alloc = _result(inst, assign, "greedy", stats, explain)
    stats["seconds"] = time.perf_counter() - t0
    return alloc


# --------------------------------------------------------------------------- supervisors


def assign_supervisors(teams: Iterable, supervisors: Iterable) -> SupervisorAssignment:
    """One supervisor per team, within capacity, maximising sector matches.

    Exact: linear_sum_assignment over duplicated capacity slots. Slot j of a supervisor
    costs j on top of the (dominant) match bonus, so load is spread evenly among equally
    good choices without ever costing a match.
    """
    teams = list(teams)
    sups = _canonical(supervisors)
    t = len(teams)
    capacity = sum(max(int(s.capacity), 0) for s in sups)
    if t == 0:
        return SupervisorAssignment(feasible=True)
    if capacity < t:
        reason = _("%(teams)d teams but only %(capacity)d supervision places.") % {
            "teams": t,
            "capacity": capacity,
        }
        return SupervisorAssignment(feasible=False, reason=reason)
    slot_sup, slot_pos = [], []
    for k, s in enumerate(sups):
        for j in range(min(max(int(s.capacity), 0), t)):
            slot_sup.append(k)
            slot_pos.append(j)
    slot_sup = np.array(slot_sup, dtype=np.int64)
    slot_pos = np.array(slot_pos, dtype=float)
    big = float(t) * t + 1.0  # > any sum of slot positions, so matches always dominate
    expert = np.array(
        [
            [sector is not None and sector in frozenset(s.sectors or ()) for s in sups]
            for _t, sector in teams
        ],
        dtype=bool,
    ).reshape(t, len(sups))
    match = expert[:, slot_sup]
    cost = slot_pos[None, :] - big * match
    ri, ci = linear_sum_assignment(cost)
    out = SupervisorAssignment(feasible=True)
    for r, c in zip(ri, ci, strict=True):
        tid, sector = teams[r]
        sup = sups[slot_sup[c]]
        out.assignment[tid] = sup.id
        args = {"supervisor": sup.id, "sector": sector}
        if match[r, c]:
            out.matched += 1
            out.explanations[tid] = _("%(supervisor)s has expertise in %(sector)s.") % args
        elif sector is None:
            out.explanations[tid] = _("No sector given: assigned %(supervisor)s.") % args
        else:
            out.explanations[tid] = (
                _(
                    "No supervisor with expertise in %(sector)s had capacity left: "
                    "assigned %(supervisor)s."
                )
                % args
            )
    return out


__all__ = [
    "Allocation",
    "Project",
    "Student",
    "Supervisor",
    "SupervisorAssignment",
    "allocate_students",
    "assign_supervisors",
    "serial_dictatorship",
]
