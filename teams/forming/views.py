"""The coordinator forms the teams: run, compare, apply, edit, lock, publish, export."""

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from commissions.access import coordinator_view
from commissions.paging import page_of, search_term
from mias.excel import xlsx_response
from mias.i18n import render as render_message
from mias.ids import parse_id
from teams.forming import allocating
from teams.forming.allocation import MODES
from teams.forming.exports import teams_workbook
from teams.forming.forms import RunForm
from teams.models import AllocationRun, Preference, Student, Supervisor, Team


def _show(request, found):
    for text in found.warnings:
        messages.warning(request, text)


BOARD_PAGE_SIZE = 10  # teams a page
UNPLACED_PAGE_SIZE = 50


@coordinator_view
def board(request, call):
    query = search_term(request)
    teams = Team.objects.filter(call=call).for_board().with_members()
    if query:
        teams = teams.filter(
            Q(commission__reference__icontains=query)
            | Q(commission__title__icontains=query)
            | Q(members__user__last_name__icontains=query)
        ).distinct()
    page = page_of(request, teams, per_page=BOARD_PAGE_SIZE)
    teams = list(page.object_list)
    # The ranks of the page's students only, not the whole call's preferences.
    ranks = {
        (student, commission): rank
        for student, commission, rank in Preference.objects.filter(
            student__team__in=teams
        ).values_list("student_id", "commission_id", "rank")
    }
    rows = []
    for team in teams:
        members = team.members.all()
        rows.append(
            {
                "team": team,
                "members": [(s, ranks.get((s.pk, team.commission_id))) for s in members],
                "size_ok": call.team_size_min <= len(members) <= call.team_size_max,
            }
        )
    unplaced = page_of(
        request,
        Student.objects.filter(call=call, team__isnull=True).for_listing(),
        per_page=UNPLACED_PAGE_SIZE,
        param="upage",
    )
    # Once published, the board only shows the teams: no picker, proposals or blockers to read.
    published = allocating.is_published(call)
    supervisors = [] if published else list(Supervisor.objects.filter(call=call).for_listing())
    runs = [] if published else list(call.allocation_runs.select_related("created_by")[:20])
    return render(
        request,
        "teams/forming/board.html",
        {
            "call": call,
            "rows": rows,
            "page": page,
            "query": query,
            "team_total": Team.objects.filter(call=call).count(),
            "unplaced": unplaced,
            "supervisors": supervisors,
            "runs": runs,
            "form": RunForm(),
            "problems": None if published else allocating.problems(call),
            "published": published,
            "student_count": Student.objects.filter(call=call).count(),
            "selected_count": allocating.selected_commissions(call).count(),
        },
    )


@coordinator_view
@require_POST
def run(request, call):
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an objective."))
        return redirect("teams:board", slug=call.slug)
    balance = form.cleaned_data["balance"]
    if request.POST.get("both"):
        # Both objectives at once, side by side, so the coordinator sees what each costs.
        a, b = (allocating.run_allocation(call, request.user, mode, balance) for mode in MODES)
        url = reverse("teams:compare_proposals", args=[call.slug])
        return redirect(f"{url}?a={a.number}&b={b.number}")
    result = allocating.run_allocation(call, request.user, form.cleaned_data["mode"], balance)
    return redirect("teams:proposal", slug=call.slug, number=result.number)


@coordinator_view
def proposal(request, call, number):
    run = get_object_or_404(
        AllocationRun.objects.select_related("created_by"), call=call, number=number
    )
    result = run.result
    commissions = {c.pk: c for c in allocating.selected_commissions(call)}
    students = {s.pk: s for s in Student.objects.filter(call=call).for_listing()}
    supervisors = {s.pk: s for s in Supervisor.objects.filter(call=call).for_listing()}
    flagged = set(result.get("unranked", [])) | set(result.get("off_list", []))
    teams = []
    if run.feasible:
        members = {}
        for sid, cid in result["assignment"].items():
            members.setdefault(cid, []).append(int(sid))
        for cid in result["commissions"]:
            people = [
                {
                    "student": students.get(pk),
                    "rank": result["rank_of"].get(str(pk)),
                    "why": render_message(result["explanations"].get(str(pk), "")),
                    "flagged": pk in flagged,
                }
                for pk in members.get(cid, [])
            ]
            people.sort(key=lambda p: (p["rank"] is None, p["rank"] or 0, str(p["student"])))
            teams.append(
                {
                    "commission": commissions.get(cid),
                    "people": people,
                    "supervisor": supervisors.get(result["supervisors"].get(str(cid))),
                    "supervisor_why": render_message(
                        result["supervisor_explanations"].get(str(cid), "")
                    ),
                }
            )
    profile = result.get("profile", [])
    last = max((k for k, c in enumerate(profile) if c), default=-1)
    others = list(call.allocation_runs.exclude(pk=run.pk)[:10])
    return render(
        request,
        "teams/forming/proposal.html",
        {
            "call": call,
            "run": run,
            "teams": teams,
            "profile": [(k + 1, c) for k, c in enumerate(profile[: last + 1])],
            "profile_max": max(profile, default=0) or 1,
            "unranked": len(result.get("unranked", [])),
            "off_list": len(result.get("off_list", [])),
            "stale": allocating.is_stale(run),
            "published": allocating.is_published(call),
            "others": others,
        },
    )


def _attempt(request, action, *args):
    try:
        return action(*args)
    except allocating.TeamsError as exc:
        messages.error(request, str(exc))
        return None


@coordinator_view
@require_POST
def apply(request, call, number):
    run = get_object_or_404(AllocationRun, call=call, number=number)
    if _attempt(request, allocating.apply_run, run, request.user) is not None:
        messages.success(request, _("Proposal %(number)d is now the teams.") % {"number": number})
        _show(request, allocating.problems(call))
    return redirect("teams:board", slug=call.slug)


@coordinator_view
@require_POST
def move(request, call):
    student = get_object_or_404(Student, call=call, pk=parse_id(request.POST.get("student")))
    reference = request.POST.get("reference", "").replace("\x00", "").strip()[:40]
    if reference:  # a team on another page of the board, named by its reference
        team = (
            Team.objects.select_related("commission")
            .filter(call=call, commission__reference__iexact=reference)
            .first()
        )
        if team is None:
            messages.error(
                request, _("No team has the reference %(reference)s.") % {"reference": reference}
            )
            return redirect(_board_back(request, call))
    else:
        team = _chosen(Team.objects.select_related("commission"), call, request.POST.get("team"))
    found = _attempt(request, allocating.move_student, call, student, team, request.user)
    if found is not None:
        messages.success(request, _("%(student)s is moved.") % {"student": student.name})
        _show(request, found)
    return redirect(_board_back(request, call))


def _board_back(request, call):
    """The board's page the coordinator was on (its query string, if any, kept)."""
    back = reverse("teams:board", args=[call.slug])
    kept = {"q": request.POST.get("q", "")[:100], "page": request.POST.get("page", "")[:12]}
    kept = {k: v for k, v in kept.items() if v and not (k == "page" and v == "1")}
    return f"{back}?{urlencode(kept)}" if kept else back


@coordinator_view
@require_POST
def set_supervisor(request, call, pk):
    team = get_object_or_404(Team.objects.select_related("commission"), call=call, pk=pk)
    supervisor = _chosen(
        Supervisor.objects.select_related("user"), call, request.POST.get("supervisor")
    )
    found = _attempt(request, allocating.set_supervisor, call, team, supervisor, request.user)
    if found is not None:
        messages.success(
            request,
            _("Supervisor of %(commission)s saved.") % {"commission": team.commission.title},
        )
        _show(request, found)
    return redirect("teams:board", slug=call.slug)


@coordinator_view
@require_POST
def lock(request, call, pk):
    team = get_object_or_404(Team.objects.select_related("commission"), call=call, pk=pk)
    locked = request.POST.get("locked") == "1"
    _attempt(request, allocating.set_locked, call, team, locked, request.user)
    return redirect("teams:board", slug=call.slug)


@coordinator_view
@require_POST
def publish(request, call):
    count = _attempt(
        request,
        allocating.publish,
        call,
        request.user,
        request.POST.get("accept_warnings") == "1",
        request.POST.get("before_deadline") == "1",
    )
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d team published: students, supervisors and institutions are told "
                "by e-mail.",
                "%(count)d teams published: students, supervisors and institutions are told "
                "by e-mail.",
                count,
            )
            % {"count": count},
        )
    return redirect("teams:board", slug=call.slug)


@coordinator_view
def export(request, call):
    return xlsx_response(teams_workbook(call), f"teams-{call.slug}.xlsx")


def _chosen(queryset, call, raw):
    """The call's object named by a posted id; None for the empty choice, 404 for a bad id."""
    return get_object_or_404(queryset, call=call, pk=parse_id(raw)) if raw else None


def _members(run, students):
    """{commission pk: [(student, rank)]} of a proposal, each team ordered by name."""
    teams = {}
    if not run.feasible:
        return teams
    rank_of = run.result.get("rank_of", {})
    for sid, cid in run.result.get("assignment", {}).items():
        student = students.get(int(sid))
        if student is not None:
            teams.setdefault(cid, []).append((student, rank_of.get(str(sid))))
    for people in teams.values():
        people.sort(key=lambda p: p[0].name)
    return teams


def _figures(run, fingerprint, ranks):
    """What a proposal gives the students: its rank profile over ``ranks`` choices, those
    placed off their list or who did not rank, and the mean over everyone else."""
    profile = run.result.get("profile", []) if run.feasible else []
    counts = [*profile[:ranks], *[0] * (ranks - len(profile))]
    return {
        "run": run,
        "mean": run.result.get("mean_rank"),
        "first": profile[0] if profile else 0,
        "profile": list(enumerate(counts, start=1)),
        "profile_max": max(counts, default=0) or 1,
        "unranked": len(run.result.get("unranked", [])),
        "off_list": len(run.result.get("off_list", [])),
        "stale": run.result.get("fingerprint") != fingerprint,
    }


def _ranks_used(*runs):
    """The worst choice any of these proposals gives, so their profiles line up."""
    return max(
        (k + 1 for run in runs for k, c in enumerate(run.result.get("profile", [])) if c),
        default=0,
    )


@coordinator_view
def compare_proposals(request, call):
    """Two team proposals side by side: who is placed differently, and the choices obtained."""
    numbers = [parse_id(request.GET.get("a")), parse_id(request.GET.get("b"))]
    if None in numbers:
        runs = list(call.allocation_runs.all()[:2])
        if len(runs) < 2:
            messages.info(request, _("Propose teams twice to compare two proposals."))
            return redirect("teams:board", slug=call.slug)
        return redirect(f"{request.path}?a={runs[1].number}&b={runs[0].number}")
    a, b = (
        get_object_or_404(AllocationRun.objects.select_related("created_by"), call=call, number=n)
        for n in numbers
    )
    students = {s.pk: s for s in Student.objects.filter(call=call).for_listing()}
    commissions = {c.pk: c for c in allocating.selected_commissions(call)}
    in_a, in_b = _members(a, students), _members(b, students)
    fingerprint = allocating.load_inputs(call).fingerprint()  # once for both proposals
    rows = []
    for cid in sorted(
        set(in_a) | set(in_b), key=lambda k: getattr(commissions.get(k), "reference", "")
    ):
        people_a, people_b = in_a.get(cid, []), in_b.get(cid, [])
        names_a, names_b = {s.pk for s, _r in people_a}, {s.pk for s, _r in people_b}
        row = {
            "commission": commissions.get(cid),
            "a": [(s, r, s.pk not in names_b) for s, r in people_a],
            "b": [(s, r, s.pk not in names_a) for s, r in people_b],
            "same": names_a == names_b,
        }
        row["sides"] = [row["a"], row["b"]]
        rows.append(row)
    moved = sum(1 for row in rows for _s, _r, new in row["b"] if new)
    return render(
        request,
        "teams/forming/compare.html",
        {
            "call": call,
            "a": _figures(a, fingerprint, _ranks_used(a, b)),
            "b": _figures(b, fingerprint, _ranks_used(a, b)),
            "rows": rows,
            "moved": moved,
            "runs": list(call.allocation_runs.all()),
            "published": allocating.is_published(call),
        },
    )
