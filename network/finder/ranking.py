"""Partner ranking: lexical BM25 + dense vectors, fused, re-ranked with the registry, explained.

Pure: plain organisation dicts in, plain results out; no Django, no database. The database
module (`searching.py`) builds a `Directory` from the registry; the bench and the tests
build one from the directory file.

An organisation dict has: key, name, city, country, languages, sectors, people_served,
descriptions ({language: text}), events (names), neighbours (keys of the organisations it
met at events or through commissions); for coordinators also commissions (short lines).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mias.i18n import gettext as _
from network.finder import lexicon
from network.finder import text as words
from network.finder.bm25 import BM25

# Fusion and re-ranking weights, tuned on the labelled set (eval/requests.json).
LEXICAL_WEIGHT = 0.35
DENSE_WEIGHT = 0.65
LABEL_BONUS = 0.10  # a sector or people-served label the request names
NETWORK_BONUS = 0.05  # met the strongest candidates (events, commissions)
USE_GLOSSARY = True
POOL = 100  # candidates re-ranked with the registry's knowledge


@dataclass
class Result:
    key: str
    name: str
    score: float
    why: str
    index: int
    lexical: float = 0.0
    dense: float = 0.0
    matched: list = field(default_factory=list)


def request_terms_of(groups) -> set:
    return set().union(*groups) if groups else set()


def query_text(request: str) -> str:
    """What the sentence encoder reads: the request and the glosses of the concepts it names."""
    _groups, glosses = lexicon.expand(request)
    return f"{request} ({'; '.join(glosses)})" if glosses else request


def _labels(org):
    return list(org.get("sectors") or []) + list(org.get("people_served") or [])


def document_terms(org: dict) -> list[str]:
    """Index terms of an organisation: descriptions in their languages, labels in French."""
    found = words.terms(org.get("name", ""), "fr")
    for language, body in (org.get("descriptions") or {}).items():
        found += words.terms(body, language)
    for label in _labels(org):
        found += words.terms(label, "fr")
    return found


def _scaled(values: np.ndarray) -> np.ndarray:
    top = float(values.max()) if values.size else 0.0
    return values / top if top > 0 else np.zeros_like(values)


def _dense_scaled(similarity: np.ndarray) -> np.ndarray:
    """Cosines to 0..1 relative to this request: the median organisation at 0, the best at 1."""
    if similarity.size == 0:
        return similarity
    floor = float(np.median(similarity))
    top = float(similarity.max())
    if top - floor < 1e-6:
        return np.zeros_like(similarity)
    return np.clip((similarity - floor) / (top - floor), 0.0, 1.0)


class Directory:
    def __init__(self, organisations: list[dict], vectors: np.ndarray | None = None):
        """vectors: one L2-normalised row per organisation (NaN rows = not indexed), or None."""
        self.organisations = organisations
        self.position = {org["key"]: i for i, org in enumerate(organisations)}
        self.bm25 = BM25([document_terms(org) for org in organisations])
        self.label_terms = [
            [(label, set(words.terms(label, "fr"))) for label in _labels(org)]
            for org in organisations
        ]
        if vectors is not None and len(vectors) == len(organisations):
            self.vectors = np.nan_to_num(np.asarray(vectors, dtype=np.float32))
        else:
            self.vectors = None
        self.neighbours = [
            [self.position[k] for k in org.get("neighbours", ()) if k in self.position]
            for org in organisations
        ]

    # -- filters -------------------------------------------------------------------------
    def allowed(self, country="", town="", sector="", people="", language="") -> np.ndarray:
        keep = np.ones(len(self.organisations), dtype=bool)
        checks = [
            (country, lambda org, v: (org.get("country") or "").upper() == v.upper()),
            (town, lambda org, v: words.fold(org.get("city")) == words.fold(v)),
            (sector, lambda org, v: words.fold(v) in map(words.fold, org.get("sectors") or [])),
            (
                people,
                lambda org, v: words.fold(v) in map(words.fold, org.get("people_served") or []),
            ),
            (language, lambda org, v: v.lower() in (org.get("languages") or [])),
        ]
        for value, test in checks:
            if value:
                keep &= np.array([test(org, value) for org in self.organisations], dtype=bool)
        return keep

    # -- ranking -------------------------------------------------------------------------
    def search(self, request: str, query_vector=None, limit: int = 10, **filters) -> list[Result]:
        size = len(self.organisations)
        if size == 0:
            return []
        groups = words.query_terms(request)
        extra, _glosses = lexicon.expand(request)
        if USE_GLOSSARY:
            groups = groups + [g for g in extra if not any(g & own for own in groups)]
        lexical = _scaled(self.bm25.scores(groups))
        if self.vectors is not None and query_vector is not None:
            dense = _dense_scaled(self.vectors @ np.asarray(query_vector, dtype=np.float32))
            fused = LEXICAL_WEIGHT * lexical + DENSE_WEIGHT * dense
        else:
            dense = np.zeros(size, dtype=np.float32)
            fused = lexical.copy()
        # Every word the request names, glossary included (labels and explanations).
        request_terms = request_terms_of(groups + (extra if USE_GLOSSARY else []))
        if filters and any(filters.values()):
            fused[~self.allowed(**filters)] = -1.0
        # Re-ranking looks at the strongest candidates only: its bonuses are small, so an
        # organisation far down cannot reach the top, and a request stays fast at any size.
        pool = np.argsort(-fused, kind="stable")[: max(POOL, limit)]
        pool = pool[fused[pool] > 0]
        score = np.full(size, -1.0, dtype=np.float32)
        score[pool] = fused[pool]
        for index in pool:
            if any(terms and terms <= request_terms for _l, terms in self.label_terms[index]):
                score[index] += LABEL_BONUS
        # The network: a bonus for having met the strongest candidates.
        strongest = set(pool[np.argsort(-score[pool], kind="stable")[:5]].tolist())
        for index in pool:
            met = len(strongest.intersection(self.neighbours[index]))
            score[index] += NETWORK_BONUS * met / 5
        order = [i for i in np.argsort(-score, kind="stable")[:limit] if score[i] > 0]
        results = []
        for index in order:
            org = self.organisations[index]
            matched = self.bm25.matched(groups, int(index))
            results.append(
                Result(
                    key=org["key"],
                    name=org["name"],
                    score=round(float(score[index]), 4),
                    why="",
                    index=int(index),
                    lexical=float(lexical[index]),
                    dense=float(dense[index]),
                    matched=matched,
                )
            )
        for result in results:
            result.why = self.explain(result, request_terms)
        return results

    # -- explanation ---------------------------------------------------------------------
    def explain(self, result: Result, request_terms: set, org: dict | None = None) -> str:
        """One sentence: what it does that matches, where it met others (and what it led)."""
        org = org or self.organisations[result.index]
        named = [label for label, terms in self.label_terms[result.index] if terms & request_terms]
        parts = []
        if named:
            parts.append(_("works on %(labels)s") % {"labels": ", ".join(named[:3])})
        if result.matched and not named:
            parts.append(
                _("its description mentions %(words)s")
                % {"words": ", ".join(sorted(set(result.matched))[:4])}
            )
        if result.dense > 0.5 and not parts:
            language, body = _first_description(org)
            passage = _first_sentence(body)
            if passage:
                parts.append(
                    _("close in meaning to your request (%(language)s): “%(passage)s”")
                    % {"language": language, "passage": passage}
                )
        events = list(org.get("events") or [])
        if events:
            parts.append(_("met others at %(events)s") % {"events": ", ".join(events[:2])})
        commissions = list(org.get("commissions") or [])
        if commissions:
            parts.append(_("led %(commissions)s") % {"commissions": "; ".join(commissions[:2])})
        if not parts:
            parts.append(_("its profile is close to your request"))
        sentence = "; ".join(parts)
        return sentence[:1].upper() + sentence[1:] + "."


def _first_description(org):
    for language, body in (org.get("descriptions") or {}).items():
        if body:
            return language, body
    return "", ""


def _first_sentence(body: str, limit: int = 140) -> str:
    sentence = body.replace(":", ".").split(". ")[0].strip().rstrip(".")
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rsplit(" ", 1)[0] + "…"
