"""Selection runs: feed the optimiser from the database, store runs, confirm one."""

import hashlib
import logging
import time
from dataclasses import asdict

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from commissions.models import Call, Commission, DecisionKind, Review, SelectionRun
from commissions.models.translated import in_every_language
from commissions.outbox.mail import queue_email
from commissions.review.reviewing import call_aggregates
from commissions.selection import portfolio as optimiser
from commissions.similarity import ProblemSimilarity
from mias.i18n import decimal, render, to_json

logger = logging.getLogger(__name__)

DEFAULT_SIMILARITY_THRESHOLD = 60.0
DEFAULT_WAITLIST = 5


class StaleRun(Exception):
    pass


class AlreadyConfirmed(Exception):
    pass


def fingerprint(call):
    """Changes whenever a submission, its status or a score changes."""
    commissions = Commission.objects.filter(call=call).order_by("pk")
    rows = list(commissions.values_list("pk", "status", "updated_at"))
    reviews = Review.objects.filter(commission__call=call).aggregate(
        n=Count("pk"), last=Max("updated_at")
    )
    text = f"{rows}|{reviews}"
    return hashlib.sha256(text.encode()).hexdigest()


def default_params(call):
    return {
        "places": call.places,
        "merit_weight": 1.0,
        "sector_reward": optimiser.DEFAULT_SECTOR_REWARD,
        "type_reward": optimiser.DEFAULT_TYPE_REWARD,
        "context_reward": optimiser.DEFAULT_CONTEXT_REWARD,
        "similarity_penalty": optimiser.DEFAULT_SIMILARITY_PENALTY,
        "similarity_threshold": DEFAULT_SIMILARITY_THRESHOLD,
        "sector_cap": None,
        "waitlist_size": DEFAULT_WAITLIST,
        "pinned": [],
        "excluded": [],
    }


def candidates(call):
    aggregates = call_aggregates(call)
    commissions = list(
        Commission.objects.filter(call=call)
        .active()
        .select_related("sector", "commission_type", "intervention_context")
        .order_by("pk")
    )
    result = []
    for c in commissions:
        agg = aggregates.get(c.pk)
        result.append(
            optimiser.Candidate(
                id=c.pk,
                merit=round(agg.merit, 4) if agg else 0.0,
                sector=in_every_language(c.sector),
                ctype=in_every_language(c.commission_type),
                context=in_every_language(c.intervention_context),
                eligible=agg.eligible if agg else True,
                label=f"{c.reference} {c.title}",
            )
        )
    return commissions, result


def run_selection(call, user, params):
    """Run the optimiser with these parameters and store the run."""
    started = time.perf_counter()
    commissions, cands = candidates(call)
    texts = [(c.pk, f"{c.title} {c.question}") for c in commissions]
    optimiser_params = optimiser.SelectionParams(
        places=int(params["places"]),
        merit_weight=float(params["merit_weight"]),
        sector_reward=float(params["sector_reward"]),
        type_reward=float(params["type_reward"]),
        context_reward=float(params["context_reward"]),
        similarity_penalty=float(params["similarity_penalty"]),
        sector_cap=params.get("sector_cap") or None,
        pinned=frozenset(params.get("pinned", [])),
        excluded=frozenset(params.get("excluded", [])),
        # Past the kept waiting list, explanation() tells the rank instead.
        explained=_waitlist_size(params),
    )
    try:
        # Pairs are computed where the optimiser needs them, not all n²/2 of them.
        similarity = ProblemSimilarity(texts, threshold=float(params["similarity_threshold"]))
        result = optimiser.select(cands, optimiser_params, similarity=similarity)
        similarity_failed = False
    except Exception:  # select without the penalty rather than not at all, and say so
        logger.exception("Similar problems of call %s could not be computed", call.pk)
        result, similarity_failed = optimiser.select(cands, optimiser_params), True
    stored = asdict(result)
    stored["merits"] = {str(c.id): c.merit for c in cands}
    stored["ineligible"] = [c.id for c in cands if not c.eligible]
    stored["pairs"] = [[a, b, round(s, 1)] for a, b, s in result.pairs]
    stored["similarity_failed"] = similarity_failed
    with transaction.atomic():
        # The call's row serialises run numbering between two coordinators.
        Call.objects.select_for_update().filter(pk=call.pk).values_list("pk").first()
        last = call.selection_runs.aggregate(Max("number"))["number__max"] or 0
        return SelectionRun.objects.create(
            call=call,
            number=last + 1,
            created_by=user,
            params=params,
            result=_jsonable(stored),
            fingerprint=fingerprint(call),
            seconds=round(time.perf_counter() - started, 3),
        )


def _jsonable(value):
    """Explanations kept as codes and numbers (Message data), numpy scalars as numbers."""
    return to_json(value)


def is_stale(run):
    return run.fingerprint != fingerprint(run.call)


def _waitlist_size(params):
    size = params.get("waitlist_size", DEFAULT_WAITLIST)
    return int(size if size is not None else 0)


def waitlisted(run):
    """The head of the optimiser's ranking that the coordinator keeps on the waiting list."""
    return list(run.result.get("waitlist", []))[: _waitlist_size(run.params)]


def explanation(run, commission_id):
    """The optimiser's words in the reader's language, corrected for those ranked past the
    kept waiting list."""
    text = render(run.result.get("explanations", {}).get(str(commission_id), ""))
    ranking = list(run.result.get("waitlist", []))
    kept = waitlisted(run)
    if commission_id in ranking and commission_id not in kept:
        gain = run.result.get("gains", {}).get(str(commission_id))
        text = _(
            "Not selected: ranked %(rank)d after the selection, beyond the waiting list of "
            "%(size)d."
        ) % {"rank": ranking.index(commission_id) + 1, "size": len(kept)}
        if gain is not None:
            text += " " + _("It would add %(gain)s if a place opened.") % {"gain": decimal(gain)}
    return text


def outcomes(run, commission_ids):
    """(id, place) for these commissions in the run's order: selected, waiting list, rest.

    place is "selected", a waiting-list position (1, 2…) or None for the others.
    """
    selected = list(run.result.get("selected", []))
    waitlist = waitlisted(run)
    known = set(commission_ids)
    rest = sorted(known - set(selected) - set(waitlist))
    ordered = [(pk, "selected") for pk in selected]
    ordered += [(pk, position) for position, pk in enumerate(waitlist, start=1)]
    ordered += [(pk, None) for pk in rest]
    return [(pk, place) for pk, place in ordered if pk in known]


def decisions(run):
    """commission id -> (status, waitlist position) that confirming this run applies."""
    active = Commission.objects.filter(call=run.call).active().values_list("pk", flat=True)
    out = {}
    for commission_id, place in outcomes(run, active):
        if place == "selected":
            out[commission_id] = (Commission.Status.SELECTED, None)
        elif place is not None:
            out[commission_id] = (Commission.Status.WAITLISTED, place)
        else:
            out[commission_id] = (Commission.Status.DECLINED, None)
    return out


DECISION_EMAIL = {
    Commission.Status.SELECTED: DecisionKind.SELECTED,
    Commission.Status.WAITLISTED: DecisionKind.WAITLISTED,
    Commission.Status.DECLINED: DecisionKind.DECLINED,
}


@transaction.atomic
def confirm_run(run, user):
    """Apply the run's decisions at once, record them and queue one e-mail per institution."""
    call = Call.objects.select_for_update().get(pk=run.call_id)
    run = SelectionRun.objects.select_for_update().get(pk=run.pk)
    if call.selection_runs.filter(confirmed_at__isnull=False).exists():
        raise AlreadyConfirmed(_("A selection is already confirmed for this call."))
    if not run.feasible:
        raise StaleRun(_("This run found no valid portfolio: it cannot be confirmed."))
    if run.fingerprint != fingerprint(call):
        raise StaleRun(
            _(
                "Submissions or scores changed since this run: run the selection "
                "again before confirming."
            )
        )
    wanted = decisions(run)
    commissions = Commission.objects.select_for_update().filter(pk__in=wanted)
    message = _("Selection run %(number)d confirmed") % {"number": run.number}
    for commission in commissions:
        status, position = wanted[commission.pk]
        commission.waitlist_position = position
        commission.save(update_fields=["waitlist_position", "updated_at"])
        commission.set_status(status, actor=user, message=message)
        queue_email(
            f"decision:{commission.pk}",
            DECISION_EMAIL[status],
            commission.contact_email,
            commission.submitter_language,
            commission,
        )
    run.confirmed_at, run.confirmed_by = timezone.now(), user
    run.save(update_fields=["confirmed_at", "confirmed_by"])
    call.status = Call.Status.SELECTING
    call.save(update_fields=["status"])
    return len(wanted)
