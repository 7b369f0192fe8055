"""Outreach: which sectors and kinds of problem the last calls lacked, and whom to invite.

Pure: counts in, ranked lists out. A sector is under-represented when the registry knows
organisations of it but the recent commissions came from it less often than its share of
the registry would give (the gap, in commissions).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Gap:
    name: str
    commissions: int
    organisations: int
    expected: float
    gap: float
    candidates: list = field(default_factory=list)


def sector_gaps(commission_sectors: list[str], organisation_sectors: dict[str, list[str]]):
    """commission_sectors: one sector per recent commission; organisation_sectors: key ->
    its sectors. Returns the sectors with a positive gap, the largest first."""
    total = len(commission_sectors)
    members = {}
    for key, sectors in organisation_sectors.items():
        for sector in sectors:
            members.setdefault(sector, []).append(key)
    size = max(sum(len(v) for v in members.values()), 1)
    counts = {}
    for sector in commission_sectors:
        counts[sector] = counts.get(sector, 0) + 1
    gaps = []
    for sector, keys in members.items():
        expected = total * len(keys) / size
        gap = expected - counts.get(sector, 0)
        if gap > 0 or (total == 0 and keys):
            gaps.append(Gap(sector, counts.get(sector, 0), len(keys), round(expected, 1),
                            round(gap, 1), sorted(keys)))  # fmt: skip
    return sorted(gaps, key=lambda g: (-g.gap, -g.organisations, g.name))


def rare_kinds(commission_kinds: list[str], all_kinds: list[str]):
    """Kinds of problem (commission types) below their fair share of the recent commissions."""
    total = len(commission_kinds)
    fair = total / max(len(all_kinds), 1)
    counts = {kind: 0 for kind in all_kinds}
    for kind in commission_kinds:
        counts[kind] = counts.get(kind, 0) + 1
    return sorted(
        [(kind, count) for kind, count in counts.items() if count < fair],
        key=lambda item: (item[1], item[0]),
    )
