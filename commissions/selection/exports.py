"""The call's workbook: submissions with every field, scores, merit, decision; a sheet per run."""

from django.utils.translation import gettext as _
from openpyxl import Workbook

from commissions.models import Commission, Criterion, Review
from commissions.review.reviewing import call_aggregates
from commissions.selection.selecting import explanation, outcomes
from mias.excel import local_naive, safe, workbook_bytes, write_sheet


def call_workbook(call):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Submissions")[:31]
    criteria = list(call.criteria.filter(kind=Criterion.Kind.REVIEWER))
    reviews = list(Review.objects.filter(commission__call=call).select_related("reviewer"))
    reviewers = sorted({r.reviewer for r in reviews}, key=lambda u: u.username)
    scores = {(r.commission_id, r.reviewer_id, r.criterion_id): r.score for r in reviews}
    aggregates = call_aggregates(call)
    commissions = list(
        Commission.objects.filter(call=call)
        .for_listing()
        .select_related("preferred_presentation")
        .order_by("reference")
    )
    headers = [
        _("Reference"),
        _("Submitted at"),
        _("Status"),
        _("Waiting list"),
        _("Institution"),
        _("Legal form"),
        _("City"),
        _("Website"),
        _("Contact person"),
        _("Role"),
        _("E-mail"),
        _("Phone"),
        _("Title"),
        _("Consultancy question"),
        _("Context"),
        _("Type"),
        _("Sector"),
        _("Intervention context"),
        _("Expected outcome"),
        _("Resources and data offered"),
        _("Languages"),
        _("Oral presentation"),
        _("Commitments accepted"),
        _("Consent given at"),
    ]
    for criterion in criteria:
        for reviewer in reviewers:
            headers.append(f"{criterion.label[:40]} — {reviewer.get_full_name() or reviewer}")
    headers += [_("Merit (0–4)"), _("Spread"), _("Reviewers"), _("Eligible")]
    rows = []
    for c in commissions:
        agg = aggregates.get(c.pk)
        row = [
            c.reference,
            local_naive(c.submitted_at),
            c.get_status_display(),
            c.waitlist_position,
            c.institution.name,
            c.institution.get_legal_form_display(),
            c.institution.city,
            c.institution.website,
            c.contact_name,
            c.contact_role,
            c.contact_email,
            c.contact_phone,
            c.title,
            c.question,
            c.context,
            str(c.commission_type),
            str(c.sector),
            str(c.intervention_context),
            c.expected_outcome,
            c.resources,
            ", ".join(c.language_labels()),
            local_naive(c.preferred_presentation.starts_at) if c.preferred_presentation else None,
            ", ".join(c.accepted_commitments),
            local_naive(c.consent_at),
        ]
        for criterion in criteria:
            for reviewer in reviewers:
                row.append(scores.get((c.pk, reviewer.pk, criterion.pk)))
        row += [
            round(agg.merit, 2) if agg else None,
            round(agg.spread, 2) if agg else None,
            agg.count if agg else 0,
            _("no") if agg and not agg.eligible else _("yes"),
        ]
        rows.append(row)
    write_sheet(sheet, headers, rows)
    by_pk = {c.pk: c for c in commissions}
    for run in call.selection_runs.order_by("number"):
        run_sheet = workbook.create_sheet((_("Run %(number)d") % {"number": run.number})[:31])
        run_rows = []
        for pk, place in outcomes(run, by_pk):
            commission = by_pk[pk]
            if place == "selected":
                outcome = _("selected")
            elif place is not None:
                outcome = _("waiting list %(n)d") % {"n": place}
            else:
                outcome = _("not selected")
            run_rows.append(
                [
                    commission.reference,
                    commission.title,
                    str(commission.sector),
                    outcome,
                    run.result.get("merits", {}).get(str(pk)),
                    explanation(run, pk),
                ]
            )
        write_sheet(
            run_sheet,
            [
                _("Reference"),
                _("Title"),
                _("Sector"),
                _("Outcome"),
                _("Merit (0–4)"),
                _("Explanation"),
            ],
            run_rows,
            widths={6: 90},
        )
        run_sheet.append([])
        run_sheet.append([safe(run.summary_text)])
    return workbook_bytes(workbook)
