"""Selection runs: propose, compare, confirm; the Excel export."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from commissions.access import coordinator_view
from commissions.models import Commission, Email, SelectionRun
from commissions.outbox.mail import preview
from commissions.selection import selecting
from commissions.selection.exports import call_workbook
from commissions.selection.forms import SelectionParamsForm
from mias.excel import xlsx_response
from mias.ids import parse_id


def _active(call):
    return Commission.objects.filter(call=call).active().order_by("reference")


def _initial_from(run, call):
    params = dict(selecting.default_params(call))
    if run is not None:
        params.update(run.params)
    return params


@coordinator_view
@require_http_methods(["GET", "POST"])
def selection_home(request, call):
    runs = list(call.selection_runs.select_related("created_by", "confirmed_by"))
    number = parse_id(request.GET.get("from"))
    base = next((r for r in runs if r.number == number), None) if number is not None else None
    if request.method == "POST":
        form = SelectionParamsForm(request.POST, commissions=_active(call))
        if form.is_valid():
            run = selecting.run_selection(call, request.user, form.params())
            return redirect("commissions:selection_run", slug=call.slug, number=run.number)
    else:
        initial = _initial_from(base or (runs[0] if runs else None), call)
        form = SelectionParamsForm(initial=initial, commissions=_active(call))
    unscored = _active(call).filter(reviews__isnull=True).distinct().count()
    return render(
        request,
        "commissions/selection/home.html",
        {
            "call": call,
            "form": form,
            "runs": runs,
            "unscored": unscored,
            "confirmed": next((r for r in runs if r.confirmed_at), None),
        },
    )


def _run_or_404(call, number):
    return get_object_or_404(
        SelectionRun.objects.select_related("created_by", "confirmed_by"), call=call, number=number
    )


def _run_rows(run, commissions):
    """The run's commissions in three lists: selected, waiting list, the others."""
    merits = run.result.get("merits", {})
    pinned, excluded = set(run.params.get("pinned", [])), set(run.params.get("excluded", []))
    selected, waitlist, others = [], [], []
    for pk, place in selecting.outcomes(run, commissions):
        group = selected if place == "selected" else waitlist if place else others
        group.append(
            {
                "commission": commissions[pk],
                "explanation": selecting.explanation(run, pk),
                "merit": merits.get(str(pk)),
                "pinned": pk in pinned,
                "excluded": pk in excluded,
            }
        )
    return selected, waitlist, others


@coordinator_view
def selection_run(request, call, number):
    run = _run_or_404(call, number)
    commissions = Commission.objects.filter(call=call).for_listing().in_bulk()
    selected, waitlist, others = _run_rows(run, commissions)
    return render(
        request,
        "commissions/selection/run.html",
        {
            "call": call,
            "run": run,
            "selected": selected,
            "waitlist": waitlist,
            "others": others,
            "params": [
                (label, value)
                for label, value, _other in _changed_settings(
                    run, SelectionRun(params={}), commissions, call
                )
            ],
            "stale": selecting.is_stale(run),
            "confirmed_other": call.selection_runs.filter(confirmed_at__isnull=False)
            .exclude(pk=run.pk)
            .first(),
        },
    )


def _readable(key, value, commissions):
    if key in ("pinned", "excluded"):
        refs = [commissions[pk].reference for pk in value or [] if pk in commissions]
        return ", ".join(refs) or "—"
    return "—" if value in (None, "") else value


def _changed_settings(a, b, commissions, call):
    labels = {
        name: field.label
        for name, field in SelectionParamsForm(commissions=_active(call)).fields.items()
    }
    return [
        (
            labels.get(key, key),
            _readable(key, a.params.get(key), commissions),
            _readable(key, b.params.get(key), commissions),
        )
        for key in sorted(set(a.params) | set(b.params))
        if a.params.get(key) != b.params.get(key)
    ]


@coordinator_view
def compare_runs(request, call):
    numbers = [parse_id(request.GET.get("a")), parse_id(request.GET.get("b"))]
    if None in numbers:
        runs = list(call.selection_runs.all()[:2])
        if len(runs) < 2:
            messages.info(request, _("Run the selection twice to compare two runs."))
            return redirect("commissions:selection", slug=call.slug)
        return redirect(f"{request.path}?a={runs[1].number}&b={runs[0].number}")
    a, b = (_run_or_404(call, n) for n in numbers)
    commissions = Commission.objects.filter(call=call).for_listing().in_bulk()
    sel_a, sel_b = set(a.result.get("selected", [])), set(b.result.get("selected", []))
    rows = []
    for pk in sorted(
        sel_a | sel_b, key=lambda k: commissions[k].reference if k in commissions else ""
    ):
        if pk in commissions:
            rows.append({"commission": commissions[pk], "in_a": pk in sel_a, "in_b": pk in sel_b})
    changed = _changed_settings(a, b, commissions, call)
    runs = list(call.selection_runs.all())
    return render(
        request,
        "commissions/selection/compare.html",
        {
            "call": call,
            "a": a,
            "b": b,
            "rows": rows,
            "changed": changed,
            "runs": runs,
            "sides": [("A", a), ("B", b)],
            "confirmed": any(r.confirmed_at for r in runs),
        },
    )


@coordinator_view
@require_http_methods(["GET", "POST"])
def confirm_run(request, call, number):
    run = _run_or_404(call, number)
    if request.method == "POST":
        try:
            count = selecting.confirm_run(run, request.user)
        except (selecting.StaleRun, selecting.AlreadyConfirmed) as exc:
            messages.error(request, str(exc))
            return redirect("commissions:selection_run", slug=call.slug, number=run.number)
        messages.success(
            request,
            _("Selection confirmed: %(count)d decisions applied and the e-mails queued.")
            % {"count": count},
        )
        return redirect("commissions:outbox", slug=call.slug)
    wanted = selecting.decisions(run)
    commissions = Commission.objects.filter(pk__in=wanted).for_listing().in_bulk()
    previews = []
    for status, kind in selecting.DECISION_EMAIL.items():
        recipients = sorted(
            (commissions[pk] for pk, (s, _position) in wanted.items() if s == status),
            key=lambda c: (wanted[c.pk][1] or 0, c.reference),
        )
        if not recipients:
            continue
        sample = recipients[0]
        subject, body = preview(kind, sample, sample.submitter_language, wanted[sample.pk][1])
        previews.append(
            {
                "kind": Email.KIND_LABELS[kind],
                "code": kind,
                "subject": subject,
                "body": body,
                "count": len(recipients),
                "sample": sample,
                "recipients": recipients,
            }
        )
    return render(
        request,
        "commissions/selection/confirm.html",
        {
            "call": call,
            "run": run,
            "previews": previews,
            "stale": selecting.is_stale(run),
        },
    )


@coordinator_view
def export_workbook(request, call):
    return xlsx_response(call_workbook(call), f"commissions-{call.slug}.xlsx")
