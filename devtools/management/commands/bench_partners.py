"""Benchmark of the partner finder: quality on the labelled requests, speed at 5,000.

Prints one JSON line per measurement:
- quality: nDCG@5, recall@5 and MRR per language (and overall) of the finder (BM25 + glossary
  + multilingual vectors + registry re-ranking) and of plain BM25 on the same requests, for
  the labelled set (network/finder/eval/requests.json) and the held-out one (heldout.json);
- speed: the indexing time of N synthetic organisations (vectors + BM25) and the query
  latency (p50/p95, the request's encoding included) among them.
No database: the directory file and synthetic organisations are built in memory.
"""

from __future__ import annotations

import json
import random
import time

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from devtools.benchserver import percentile
from network.finder import dense, evaluation, ranking
from network.finder import text as words
from network.finder.bm25 import BM25

SETS = {"labelled": evaluation.REQUESTS, "held-out": evaluation.REQUESTS.with_name("heldout.json")}


def plain_bm25(orgs):
    """The baseline: BM25 over the same texts, request words stemmed, nothing else."""
    index = BM25([ranking.document_terms(org) for org in orgs])

    def rank(request):
        scores = index.scores(words.query_terms(request))
        order = np.argsort(-scores, kind="stable")[:10]
        return [orgs[i]["key"] for i in order if scores[i] > 0]

    return rank


def finder(orgs, model):
    vectors = None
    if model is not None:
        vectors = np.stack([dense.organisation_vector(model, org) for org in orgs])
    directory = ranking.Directory(orgs, vectors)

    def rank(request):
        vector = dense.encode(model, [ranking.query_text(request)])[0] if model else None
        return [r.key for r in directory.search(request, vector, limit=10)]

    return rank


def synthetic(orgs, size, seed=5):
    """size organisations recombined from the directory's sentences, labels and towns."""
    rng = random.Random(seed)
    sentences = [
        (language, part.strip())
        for org in orgs
        for language, body in org["descriptions"].items()
        for part in body.split(". ")
        if part.strip()
    ]
    towns = ["Luxembourg", "Esch-sur-Alzette", "Differdange", "Namur", "Liège", "Ettelbruck"]
    made = []
    for number in range(size):
        base = rng.choice(orgs)
        language, first = rng.choice(sentences)
        _l, second = rng.choice(sentences)
        made.append(
            {
                **base,
                "key": f"synthetic-{number}",
                "name": f"{base['name']} {number}",
                "city": rng.choice(towns),
                "descriptions": {language: f"{first}. {second}."},
                "neighbours": [f"synthetic-{rng.randrange(size)}" for _i in range(3)],
            }
        )
    return made


class Command(BaseCommand):
    help = "Partner finder: quality (nDCG@5, recall@5, MRR per language) and speed at 5,000."

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, default=5000, help="synthetic organisations")
        parser.add_argument("--queries", type=int, default=200, help="timed requests")
        parser.add_argument("--skip-speed", action="store_true")

    def emit(self, row):
        self.stdout.write(json.dumps(row, ensure_ascii=False))

    def handle(self, *args, size, queries, skip_speed=False, **options):
        if size < 1 or queries < 1:
            raise CommandError("--size and --queries must be positive")
        model = dense.encoder()
        orgs = evaluation.directory_organisations()
        systems = {"finder": finder(orgs, model), "bm25": plain_bm25(orgs)}
        for set_name, path in SETS.items():
            requests = evaluation.load_requests(path)
            for system, rank in systems.items():
                for language, scores in sorted(evaluation.evaluate(rank, requests).items()):
                    self.emit(
                        {
                            "bench": "partners_quality",
                            "set": set_name,
                            "system": system,
                            "dense": model is not None and system == "finder",
                            "language": language,
                            **scores,
                        }
                    )
        if skip_speed:
            return
        many = synthetic(orgs, size)
        start = time.perf_counter()
        vectors = None
        if model is not None:
            texts, owners = [], []
            for position, org in enumerate(many):
                for text in dense.organisation_text(org):
                    texts.append(text)
                    owners.append(position)
            encoded = np.concatenate(
                [dense.encode(model, texts[i : i + 256]) for i in range(0, len(texts), 256)]
            )
            owners = np.array(owners)
            vectors = np.zeros((len(many), dense.DIMENSIONS), dtype=np.float32)
            np.add.at(vectors, owners, encoded)
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        vectors_done = time.perf_counter()
        directory = ranking.Directory(many, vectors)
        built = time.perf_counter()
        requests = [r["request"] for r in evaluation.load_requests()]
        timings = []
        for number in range(queries):
            request = requests[number % len(requests)]
            began = time.perf_counter()
            vector = dense.encode(model, [ranking.query_text(request)])[0] if model else None
            directory.search(request, vector, limit=10)
            timings.append((time.perf_counter() - began) * 1000)
        self.emit(
            {
                "bench": "partners_speed",
                "organisations": size,
                "dense": model is not None,
                "index_vectors_s": round(vectors_done - start, 2),
                "index_bm25_s": round(built - vectors_done, 2),
                "per_organisation_ms": round((built - start) * 1000 / size, 2),
                "queries": queries,
                "query_p50_ms": percentile(timings, 50),
                "query_p95_ms": percentile(timings, 95),
            }
        )
