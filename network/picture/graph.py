"""The network picture: organisations linked to the events and calls they took part in.

Pure (numpy): plain nodes and links in, positions out; a deterministic force layout
(Fruchterman–Reingold, seeded) so the same network always draws the same way. The view
renders the result as an inline SVG: no JavaScript library, nothing from a CDN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

WIDTH, HEIGHT, MARGIN = 960, 620, 40
PALETTE = ["#1d5c8c", "#b5462f", "#2f7d32", "#7b3f9e", "#a66b00", "#00788a", "#8a3b5c", "#4d5d1f"]
OTHER = "#6c757d"


@dataclass
class Node:
    id: str
    label: str
    kind: str  # "organisation" | "event" | "call"
    group: str = ""  # an organisation's first sector
    x: float = 0.0
    y: float = 0.0
    colour: str = OTHER
    degree: int = 0
    right: bool = False  # in the right part: its label goes to the left of it


def layout(nodes: list[Node], links: list[tuple[str, str]], iterations: int = 120, seed: int = 7):
    """Place the nodes in the picture's box; returns them with x, y, degree and colour."""
    if not nodes:
        return nodes
    index = {node.id: i for i, node in enumerate(nodes)}
    pairs = np.array(
        [(index[a], index[b]) for a, b in links if a in index and b in index], dtype=np.int64
    ).reshape(-1, 2)
    n = len(nodes)
    rng = np.random.default_rng(seed)
    position = rng.uniform(-1, 1, size=(n, 2))
    k = np.sqrt(4.0 / n)
    temperature = 0.2
    for _step in range(iterations):
        delta = position[:, None, :] - position[None, :, :]
        distance = np.maximum(np.linalg.norm(delta, axis=2), 1e-3)
        force = (delta / distance[..., None]) * (k * k / distance)[..., None]
        move = force.sum(axis=1)
        if len(pairs):
            d = position[pairs[:, 0]] - position[pairs[:, 1]]
            length = np.maximum(np.linalg.norm(d, axis=1), 1e-3)
            pull = d / length[:, None] * (length * length / k)[:, None]
            np.add.at(move, pairs[:, 0], -pull)
            np.add.at(move, pairs[:, 1], pull)
        move -= position * 0.05 * n  # gravity: unlinked nodes stay in the picture
        size = np.maximum(np.linalg.norm(move, axis=1), 1e-9)
        position += move / size[:, None] * np.minimum(size, temperature)[:, None]
        temperature *= 0.97
    low, high = position.min(axis=0), position.max(axis=0)
    span = np.where(high - low > 1e-9, high - low, 1.0)
    scaled = (position - low) / span
    degrees = np.bincount(pairs.ravel(), minlength=n) if len(pairs) else np.zeros(n, int)
    groups = [g for g, _c in _common([node.group for node in nodes if node.group])]
    colours = {group: PALETTE[i] for i, group in enumerate(groups[: len(PALETTE)])}
    for i, node in enumerate(nodes):
        node.x = round(MARGIN + scaled[i, 0] * (WIDTH - 2 * MARGIN), 1)
        node.y = round(MARGIN + scaled[i, 1] * (HEIGHT - 2 * MARGIN), 1)
        node.degree = int(degrees[i])
        node.right = node.x > WIDTH * 0.62
        node.colour = colours.get(node.group, OTHER) if node.kind == "organisation" else "#222"
    return nodes


def legend(nodes: list[Node]) -> list[tuple[str, str]]:
    """(sector, colour) of the coloured sectors, most frequent first."""
    seen = {}
    for node in nodes:
        if node.kind == "organisation" and node.group and node.colour != OTHER:
            seen.setdefault(node.group, node.colour)
    return list(seen.items())


def _common(values):
    counts = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
