"""Ranking quality over a labelled set: nDCG@k, recall@k, MRR, per language. Pure."""

from __future__ import annotations

import json
import math
from pathlib import Path

REQUESTS = Path(__file__).resolve().parent / "eval" / "requests.json"
ROOT = Path(__file__).resolve().parent.parent.parent
DIRECTORY = ROOT / "fixtures" / "network" / "organisations.json"


def load_requests(path=REQUESTS):
    return json.loads(Path(path).read_text(encoding="utf-8"))["requests"]


def directory_organisations(path=DIRECTORY):
    """The directory file as the finder's organisation dicts (events and neighbours included)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    events = {}
    for event in data.get("events", []):
        members = set(event.get("participants", [])) | {event.get("organiser")} - {None}
        label = f"{event['name']}"
        for key in members:
            events.setdefault(key, []).append((label, members))
    organisations = []
    for row in data["organisations"]:
        met = events.get(row["key"], [])
        organisations.append(
            {
                "key": row["key"],
                "name": row["name"],
                "city": row.get("city", ""),
                "country": row.get("country", ""),
                "languages": row.get("languages", []),
                "sectors": row.get("sectors", []),
                "people_served": row.get("publics", []),
                "descriptions": row.get("description", {}),
                "events": [label for label, _m in met],
                "neighbours": sorted({k for _l, m in met for k in m} - {row["key"]}),
            }
        )
    return organisations


def ndcg(ranked, relevant, k=5):
    gains = [relevant.get(key, 0) for key in ranked[:k]]
    dcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall(ranked, relevant, k=5):
    return len(set(ranked[:k]) & set(relevant)) / len(relevant) if relevant else 0.0


def reciprocal_rank(ranked, relevant):
    for i, key in enumerate(ranked):
        if relevant.get(key, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def evaluate(rank, requests, k=5):
    """rank(request_text) -> list of keys. Returns {language | 'all': {ndcg, recall, mrr, n}}."""
    rows = {}
    for item in requests:
        ranked = rank(item["request"])
        scores = (
            ndcg(ranked, item["relevant"], k),
            recall(ranked, item["relevant"], k),
            reciprocal_rank(ranked, item["relevant"]),
        )
        for group in (item["language"], "all"):
            rows.setdefault(group, []).append(scores)
    return {
        group: {
            f"ndcg@{k}": round(sum(s[0] for s in values) / len(values), 3),
            f"recall@{k}": round(sum(s[1] for s in values) / len(values), 3),
            "mrr": round(sum(s[2] for s in values) / len(values), 3),
            "n": len(values),
        }
        for group, values in rows.items()
    }
