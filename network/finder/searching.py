"""The finder behind the page and the command: the registry in memory, searched per request.

The directory (BM25 index and vectors) is built once per process and rebuilt only when the
registry changed (a three-query stamp per request); the sentence encoder is loaded once per
process (dense.encoder). Without the encoder the finder stays lexical.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
from django.conf import settings
from django.db.models import Count, Max

from commissions.models import Commission, Institution
from network.finder import dense, ranking, registry
from network.models import OrganisationVector, Participation

_lock = threading.Lock()
_cache = {"stamp": None, "directory": None, "pks": []}
_queries: OrderedDict = OrderedDict()  # request -> vector, the latest 256


def _stamp():
    institutions = Institution.objects.aggregate(n=Count("pk"), at=Max("updated_at"))
    vectors = OrganisationVector.objects.aggregate(n=Count("pk"), at=Max("updated_at"))
    links = Participation.objects.aggregate(n=Count("pk"), last=Max("pk"))
    return (tuple(institutions.values()), tuple(vectors.values()), tuple(links.values()))


def _build():
    orgs = registry.organisations()
    vectors = None
    if orgs:
        rows = dict(OrganisationVector.objects.filter(model=dense.MODEL_NAME).values_list(
            "institution_id", "vector"
        ))  # fmt: skip
        if rows:
            vectors = np.full((len(orgs), dense.DIMENSIONS), np.nan, dtype=np.float32)
            for position, org in enumerate(orgs):
                if org["pk"] in rows:
                    vectors[position] = dense.from_bytes(rows[org["pk"]])
    return ranking.Directory(orgs, vectors), [org["pk"] for org in orgs]


def directory():
    stamp = _stamp()
    if _cache["stamp"] != stamp:
        with _lock:
            if _cache["stamp"] != stamp:
                _cache["directory"], _cache["pks"] = _build()
                _cache["stamp"] = stamp
    return _cache["directory"], _cache["pks"]


def query_vector(request: str):
    model = dense.encoder(getattr(settings, "PARTNER_FINDER_DENSE", True))
    if model is None:
        return None
    vector = _queries.get(request)
    if vector is None:
        vector = dense.encode(model, [ranking.query_text(request)])[0]
        with _lock:
            _queries[request] = vector
            while len(_queries) > 256:
                _queries.popitem(last=False)
    return vector


def _commission_lines(pks):
    """Coordinators only: the commissions each organisation led, with how they went."""
    lines = {}
    rows = (
        Commission.objects.filter(institution_id__in=pks)
        .select_related("call", "team__feedback")
        .order_by("-call__academic_year")
    )
    for commission in rows:
        status = commission.get_status_display()
        line = f"{commission.title} ({commission.call.academic_year}, {status}"
        feedback = getattr(getattr(commission, "team", None), "feedback", None)
        if feedback is not None:
            line += f", {feedback.get_usefulness_display()}"
        lines.setdefault(commission.institution_id, []).append(line + ")")
    return lines


def find(request: str, limit: int = 10, coordinator: bool = False, **filters) -> list[dict]:
    """Ranked organisations for a request; filters: country, town, sector, people, language."""
    request = (request or "").strip()[:1000]
    found, pks = directory()
    if not request or not found.organisations:
        return []
    results = found.search(request, query_vector(request), limit=limit, **filters)
    commissions = {}
    if coordinator and results:
        commissions = _commission_lines([pks[r.index] for r in results])
    answer = []
    for result in results:
        org = found.organisations[result.index]
        why = result.why
        if commissions.get(pks[result.index]):
            org = {**org, "commissions": commissions[pks[result.index]]}
            extra, _glosses = ranking.lexicon.expand(request)
            terms = ranking.request_terms_of(ranking.words.query_terms(request) + extra)
            why = found.explain(result, terms, org=org)
        answer.append(
            {
                "key": result.key,
                "name": result.name,
                "score": result.score,
                "why": why,
                "pk": pks[result.index],
                "city": org["city"],
                "country": org["country"],
                "sectors": org["sectors"],
                "people_served": org["people_served"],
                "description": _description(org),
                "events": org["events"],
                "commissions": org.get("commissions", []),
            }
        )
    return answer


def _description(org):
    from django.utils.translation import get_language

    texts = org["descriptions"]
    language = (get_language() or "fr")[:2]
    return texts.get(language) or next(iter(texts.values()), "")
