"""Organisation vectors in the database: computed when an organisation changes, or for all."""

from __future__ import annotations

import hashlib
import json

import numpy as np
from django.conf import settings

from network.finder import dense, registry
from network.models import OrganisationVector


def digest(org: dict) -> str:
    texts = dense.organisation_text(org)
    return hashlib.sha256(json.dumps([dense.MODEL_NAME, texts]).encode()).hexdigest()


def _model():
    return dense.encoder(getattr(settings, "PARTNER_FINDER_DENSE", True))


def index_organisations(orgs: list[dict], model=None, force=False) -> int:
    """Store the vectors of these organisations; unchanged ones are skipped. Returns how many."""
    model = model or _model()
    if model is None or not orgs:
        return 0
    existing = {
        v.institution_id: v
        for v in OrganisationVector.objects.filter(institution_id__in=[o["pk"] for o in orgs])
    }
    todo = [o for o in orgs if force or getattr(existing.get(o["pk"]), "digest", None) != digest(o)]
    if not todo:
        return 0
    texts, owners = [], []
    for position, org in enumerate(todo):
        for text in dense.organisation_text(org):
            texts.append(text)
            owners.append(position)
    vectors = dense.encode(model, texts)
    owners = np.array(owners)
    fresh, changed = [], []
    for position, org in enumerate(todo):
        mean = vectors[owners == position].mean(axis=0)
        mean = mean / max(float(np.linalg.norm(mean)), 1e-9)
        row = existing.get(org["pk"])
        if row is None:
            fresh.append(
                OrganisationVector(
                    institution_id=org["pk"],
                    model=dense.MODEL_NAME,
                    digest=digest(org),
                    vector=dense.to_bytes(mean),
                )
            )
        else:
            row.model, row.digest, row.vector = dense.MODEL_NAME, digest(org), dense.to_bytes(mean)
            changed.append(row)
    OrganisationVector.objects.bulk_create(fresh, batch_size=500)
    OrganisationVector.objects.bulk_update(changed, ["model", "digest", "vector"], batch_size=500)
    if changed:  # bulk_update leaves auto_now alone: the finder's cache must see the change
        from django.utils import timezone

        OrganisationVector.objects.filter(pk__in=[r.pk for r in changed]).update(
            updated_at=timezone.now()
        )
    return len(todo)


def index_one(pk) -> int:
    return index_organisations(registry.organisations(pks=[pk]))


def index_all(batch=200, progress=None, force=False) -> int:
    """Every organisation, by batches; progress(done, total) after each one."""
    model = _model()
    if model is None:
        return 0
    orgs = registry.organisations()
    done = 0
    for start in range(0, len(orgs), batch):
        done += index_organisations(orgs[start : start + batch], model, force)
        if progress:
            progress(min(start + batch, len(orgs)), len(orgs))
    return done
