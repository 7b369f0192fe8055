"""The review workspace: the table of submissions, a commission's page, reviewer assignment."""

import functools
import logging

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from commissions import rules
from commissions.access import coordinator_view, workspace_view
from commissions.models import (
    Call,
    Commission,
    CommissionType,
    Criterion,
    InterventionContext,
    Note,
    Programme,
    Review,
    ReviewAssignment,
    Sector,
)
from commissions.paging import page_of, query_without, search_term
from commissions.review import notify, table
from commissions.review.forms import AssignmentForm, NoteForm, ReviewDeadlineForm, ScoreForm
from commissions.review.reviewing import (
    call_aggregates,
    criteria_specs,
    progress,
    record_review_submission,
    similar_commissions,
)
from commissions.signals import review_section, workspace_links
from mias.ids import parse_id

logger = logging.getLogger(__name__)


ROW_IDS = ("call_id", "sector_id", "commission_type_id", "intervention_context_id")


@workspace_view
def review_table(request, call):
    """One page of the submissions, filtered and sorted in the database."""
    coordinator = rules.is_coordinator(request.user, call)
    commissions = Commission.objects.filter(call=call)
    if not coordinator:
        commissions = commissions.filter(
            pk__in=ReviewAssignment.objects.filter(
                commission__call=call, reviewer=request.user
            ).values("commission_id")
        )
    filters = {
        "sector": parse_id(request.GET.get("sector")),
        "type": parse_id(request.GET.get("type")),
        "context": parse_id(request.GET.get("context")),
        "status": request.GET.get("status", "")[:20],
        "q": search_term(request),
    }
    matching = commissions.matching(**filters)
    sort = request.GET.get("sort", "")
    sort = sort if sort in table.SORTS else table.DEFAULT_SORT
    specs = criteria_specs(call)
    page = page_of(
        request,
        table.ordered_ids(matching, sort, masked_for=None if coordinator else request.user),
        count=matching.count(),
    )
    ids = list(page.object_list)
    # The row's own columns only: the call is this one and the vocabularies are the filters'.
    vocabularies = {
        "sector": list(Sector.objects.all()),
        "commission_type": list(CommissionType.objects.all()),
        "intervention_context": list(InterventionContext.objects.all()),
    }
    by_id = {name: {v.pk: v for v in values} for name, values in vocabularies.items()}
    found = (
        Commission.objects.select_related("institution")
        .only("pk", "reference", "title", "status", "institution__name", *ROW_IDS)
        .in_bulk(ids)
    )
    aggregates = call_aggregates(call, ids, specs=specs)
    counts = {
        row["commission_id"]: (row["done"], row["total"])
        for row in ReviewAssignment.objects.filter(commission_id__in=ids)
        .values("commission_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(submitted_at__isnull=False)))
        .order_by()
    }
    mine = {
        a.commission_id: a
        for a in ReviewAssignment.objects.filter(commission_id__in=ids, reviewer=request.user)
    }
    rows = []
    # Per page rather than per row: the statuses' words, one URL pattern, each score written once.
    statuses = {value: str(label) for value, label in Commission.Status.choices}
    link = reverse("commissions:review_commission", args=[call.slug, 0]).rsplit("0/", 1)[0]
    shown = functools.cache(floatformat)
    for pk in ids:
        commission = found[pk]
        commission.call = call  # what the rule reads: this call, not a query per row
        agg = aggregates.get(pk)
        visible = rules.can_see_others_scores(request.user, commission, mine.get(pk))
        done, total = counts.get(pk, (0, 0))
        merit = agg.merit if agg and visible else None
        spread = agg.spread if agg and visible else None
        rows.append(
            {
                "commission": commission,
                "merit": merit,
                "spread": spread,
                "count": agg.count if agg else 0,
                "eligible": agg.eligible if agg and visible else True,
                "reviews_done": done,
                "reviews_total": total,
                "mine": mine.get(pk),
                # What the row shows, written here once: fifty rows of two- and three-level
                # lookups, filters and URL tags cost the template more than the rest of the page.
                "url": f"{link}{pk}/",
                "title": commission.title,
                "reference": commission.reference,
                "institution": commission.institution.name,
                "sector": by_id["sector"].get(commission.sector_id),
                "type": by_id["commission_type"].get(commission.commission_type_id),
                "context": by_id["intervention_context"].get(commission.intervention_context_id),
                "status": statuses.get(commission.status, commission.status),
                "merit_text": shown(merit, 2) if merit is not None else None,
                "spread_text": shown(spread, 1) if spread is not None else None,
            }
        )
    filtered = any(filters.values())
    return render(
        request,
        "commissions/review/table.html",
        {
            "call": call,
            "rows": rows,
            "page": page,
            "total": commissions.count() if filtered else page.paginator.count,
            "filtered": filtered,
            "coordinator": coordinator,
            "filters": filters,
            "sort": sort,
            # Sorting or filtering starts again at page 1; paging keeps both.
            "base_qs": query_without(request, "sort", "page"),
            "sectors": vocabularies["sector"],
            "types": vocabularies["commission_type"],
            "contexts": vocabularies["intervention_context"],
            "statuses": Commission.Status.choices,
        },
    )


@workspace_view
@require_http_methods(["GET", "POST"])
def review_commission(request, call, pk):
    commission = get_object_or_404(
        Commission.objects.for_listing().select_related("preferred_presentation"), pk=pk, call=call
    )
    assignment = ReviewAssignment.objects.filter(
        commission=commission, reviewer=request.user
    ).first()
    if not rules.can_review(request.user, commission, assignment):
        raise PermissionDenied
    criteria = list(call.criteria.filter(kind=Criterion.Kind.REVIEWER))
    mine = {
        r.criterion_id: r
        for r in Review.objects.filter(commission=commission, reviewer=request.user)
    }
    frozen = notify.scores_frozen(call)
    form = ScoreForm(
        request.POST if request.method == "POST" and not frozen else None,
        criteria=criteria,
        existing=mine,
    )
    if frozen:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and frozen:
        messages.error(
            request,
            _("The selection decisions are applied: the scores can no longer change."),
        )
        return redirect("commissions:review_commission", slug=call.slug, pk=commission.pk)
    following = notify.next_unreviewed(request.user, commission)
    if request.method == "POST" and form.is_valid():
        record_review_submission(commission, request.user, form.scores(), form.comments())
        messages.success(request, _("Your scores are saved."))
        if following and "next" in request.POST:
            return redirect("commissions:review_commission", slug=call.slug, pk=following["pk"])
        return redirect("commissions:review_commission", slug=call.slug, pk=commission.pk)
    others_visible = rules.can_see_others_scores(request.user, commission, assignment)
    others = []
    if others_visible:
        others = list(
            Review.objects.filter(commission=commission)
            .exclude(reviewer=request.user)
            .select_related("reviewer", "criterion")
            .order_by("reviewer_id", "criterion__order")
        )
    try:
        near, past = similar_commissions(commission)
        similar_failed = False
    except Exception:  # the page is still useful without them: say so, do not fail
        logger.exception("Similar problems of commission %s could not be computed", commission.pk)
        near, past, similar_failed = [], [], True
    coordinator = rules.is_coordinator(request.user, call)
    return render(
        request,
        "commissions/review/commission.html",
        {
            "call": call,
            "commission": commission,
            "form": form,
            "others": others,
            "others_hidden": not others_visible,
            "near": near,
            "past": past,
            "similar_failed": similar_failed,
            "coordinator": coordinator,
            "frozen": frozen,
            "next_unreviewed": following,
            "commitments": [
                c for c in call.commitments() if c.kind in commission.accepted_commitments
            ],
            "notes": list(commission.notes.select_related("author")) if coordinator else [],
            "note_form": NoteForm() if coordinator else None,
            "events": list(commission.events.select_related("actor")) if coordinator else [],
            "aggregate": (
                call_aggregates(call, [commission.pk]).get(commission.pk) if coordinator else None
            ),
            "sections": [
                html
                for _receiver, html in review_section.send(
                    sender=Commission, request=request, commission=commission
                )
                if html
            ]
            if coordinator
            else [],
        },
    )


@coordinator_view
@require_POST
def add_note(request, call, pk):
    commission = get_object_or_404(Commission, pk=pk, call=call)
    form = NoteForm(request.POST)
    if form.is_valid():
        Note.objects.create(
            commission=commission, author=request.user, text=form.cleaned_data["text"]
        )
        messages.success(request, _("Note added."))
    else:
        messages.error(request, _("Write the note first."))
    return redirect("commissions:review_commission", slug=call.slug, pk=commission.pk)


def reviewer_queryset(call):
    """The programme's own: its coordinators and its reviewers, never an administrator."""
    User = get_user_model()
    return (
        User.objects.filter(
            Q(coordinated_programmes=call.programme) | Q(reviewed_programmes=call.programme),
            is_active=True,
            is_superuser=False,
        )
        .distinct()
        .order_by("last_name", "username")
    )


@coordinator_view
@require_http_methods(["GET", "POST"])
def assignments(request, call):
    commissions = Commission.objects.filter(call=call).active().order_by("reference")
    posted = request.POST if request.method == "POST" else None
    deadline_posted = posted is not None and "deadline-review_deadline" in posted
    deadline_form = ReviewDeadlineForm(posted if deadline_posted else None, instance=call)
    form = AssignmentForm(
        None if deadline_posted else posted,
        reviewers=reviewer_queryset(call),
        commissions=commissions,
    )
    if deadline_posted and deadline_form.is_valid():
        deadline_form.save()
        messages.success(request, _("Review deadline saved."))
        return redirect("commissions:assignments", slug=call.slug)
    if posted is not None and not deadline_posted and form.is_valid():
        reviewer = form.cleaned_data["reviewer"]
        new = []
        with transaction.atomic():
            for commission in form.cleaned_data["commissions"]:
                assignment, created = ReviewAssignment.objects.get_or_create(
                    commission=commission, reviewer=reviewer
                )
                if created:
                    new.append(assignment)
            email = notify.tell_assigned(call, reviewer, new)
        text = _("%(count)d commission(s) assigned to %(name)s.") % {
            "count": len(new),
            "name": reviewer.get_full_name() or reviewer.username,
        }
        if email is not None:
            text += " " + _("They are told by e-mail.")
        messages.success(request, text)
        return redirect("commissions:assignments", slug=call.slug)
    counts = progress(
        ReviewAssignment.objects.filter(commission__call=call).select_related("reviewer"),
        key=lambda a: a.reviewer,
    )
    rows = [
        {"reviewer": reviewer, "done": done, "total": total}
        for reviewer, (done, total) in sorted(counts.items(), key=lambda e: e[0].username)
    ]
    return render(
        request,
        "commissions/review/assignments.html",
        {"call": call, "form": form, "deadline_form": deadline_form, "progress": rows},
    )


@login_required
def workspace_home(request):
    """The calls this person coordinates or reviews for."""
    user = request.user
    calls = Call.objects.select_related("programme").order_by("-opens_at")
    if not user.is_superuser:
        calls = calls.filter(
            Q(programme__coordinators=user) | Q(commissions__assignments__reviewer=user)
        ).distinct()
    calls = list(calls)
    if not calls:
        raise PermissionDenied
    programmes = {}
    for call in calls:
        if rules.is_coordinator(user, call):
            programmes.setdefault(call.programme_id, call.programme)
    links = [
        (
            programme,
            [
                link
                for _receiver, found in workspace_links.send(
                    sender=Programme, programme=programme, user=user
                )
                for link in (found or [])
            ],
        )
        for programme in programmes.values()
    ]
    return render(
        request,
        "commissions/review/home.html",
        {"calls": calls, "links": links, "to_review": notify.queue(user)},
    )
