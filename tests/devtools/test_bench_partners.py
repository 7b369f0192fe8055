"""bench_partners prints its quality lines for both systems and a speed line."""

import json
from io import StringIO

from django.core.management import call_command


def test_bench_partners_prints_quality_per_language_and_speed():
    out = StringIO()
    call_command("bench_partners", "--size", "30", "--queries", "5", stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    quality = [r for r in rows if r["bench"] == "partners_quality"]
    assert {(r["set"], r["system"]) for r in quality} == {
        (s, system) for s in ("labelled", "held-out") for system in ("finder", "bm25")
    }
    assert {r["language"] for r in quality} == {"all", "fr", "de", "en", "lb"}
    finder = next(r for r in quality if r["system"] == "finder" and r["language"] == "all"
                  and r["set"] == "labelled")  # fmt: skip
    bm25 = next(r for r in quality if r["system"] == "bm25" and r["language"] == "all"
                and r["set"] == "labelled")  # fmt: skip
    assert finder["ndcg@5"] > bm25["ndcg@5"]
    speed = rows[-1]
    assert speed["bench"] == "partners_speed" and speed["organisations"] == 30
    assert speed["query_p95_ms"] >= speed["query_p50_ms"] > 0
