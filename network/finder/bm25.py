"""Okapi BM25 over the organisations' terms, with one alternative-term group per request word.

Pure Python + numpy; built once per version of the directory and kept in memory.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np


class BM25:
    def __init__(self, documents: list[list[str]], k1: float = 1.2, b: float = 0.75):
        """documents: each organisation's index terms, in the order of the results."""
        self.size = len(documents)
        self.k1, self.b = k1, b
        lengths = np.array([len(d) for d in documents], dtype=np.float32)
        self.average = float(lengths.mean()) if self.size else 1.0
        self.norm = k1 * (1 - b + b * lengths / max(self.average, 1.0))
        # term -> (document indexes, term frequencies)
        postings = defaultdict(list)
        for index, document in enumerate(documents):
            for term, count in Counter(document).items():
                postings[term].append((index, count))
        self.postings = {
            term: (
                np.array([i for i, _c in rows], dtype=np.int64),
                np.array([c for _i, c in rows], dtype=np.float32),
            )
            for term, rows in postings.items()
        }

    def idf(self, term: str) -> float:
        found = self.postings.get(term)
        n = len(found[0]) if found else 0
        return math.log(1 + (self.size - n + 0.5) / (n + 0.5))

    def scores(self, groups) -> np.ndarray:
        """Scores of every document; each group counts once, by its best alternative term."""
        total = np.zeros(self.size, dtype=np.float32)
        for group in groups:
            best = np.zeros(self.size, dtype=np.float32)
            for term in group:
                found = self.postings.get(term)
                if found is None:
                    continue
                index, tf = found
                part = self.idf(term) * tf * (self.k1 + 1) / (tf + self.norm[index])
                np.maximum.at(best, index, part)
            total += best
        return total

    def matched(self, groups, document: int) -> list[str]:
        """The request's terms that this document contains (for the explanation)."""
        hits = []
        for group in groups:
            for term in group:
                found = self.postings.get(term)
                if found is not None and document in set(found[0].tolist()):
                    hits.append(term)
                    break
        return hits
