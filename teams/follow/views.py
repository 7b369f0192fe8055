"""Following the year: the team dashboard, milestones, documents, calendars, the board."""

import hashlib
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from commissions.access import coordinator_view, refuse_finished
from commissions.paging import page_of, search_term
from commissions.review.notify import queue as review_queue
from commissions.rules import is_coordinator
from mias.excel import xlsx_response
from mias.ids import parse_id
from mias.uploads import limit_upload
from teams import rules
from teams.follow import calendar, following
from teams.follow.documents import content_type
from teams.follow.exports import board_workbook
from teams.follow.forms import (
    CallMilestoneForm,
    DeliverableForm,
    MilestoneForm,
    MoveForm,
    ReminderSettingsForm,
)
from teams.follow.reminders import plan_reminders
from teams.models import CalendarFeed, Deliverable, Milestone, Reminder, Supervisor, Team, TeamEvent
from teams.signals import dashboard_section

FEED_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _team_or_404(user, pk):
    team = get_object_or_404(
        Team.objects.select_related(
            "call__programme",
            "commission__institution",
            "commission__sector",
            "supervisor__user",
            # The dashboard shows the institution's feedback: joined here, not asked apart.
            "feedback",
        ).with_members(),
        pk=pk,
    )
    # Someone else's team does not exist, as far as they can tell.
    if not rules.can_see_team(user, team):
        raise Http404
    return team


def _milestone_or_404(team, pk):
    return get_object_or_404(team.milestones.select_related("key_date"), pk=pk)


def dashboard(request, team, upload_errors=None, status=200):
    """The team's page: who, what, and the year's timeline with what is due next."""
    user = request.user
    items = following.team_timeline(team)
    member = rules.is_member(user, team)
    supervisor = rules.is_team_supervisor(user, team)
    coordinator = is_coordinator(user, team.call)
    published = team.published_at is not None
    feed = calendar.feed_for(user=user) if (member or supervisor) and published else None
    for m in items:
        m.can_upload = bool(m.deliverable) and published and (member or coordinator)
        m.upload_error = (upload_errors or {}).get(m.pk)
    return render(
        request,
        "teams/follow/team.html",
        {
            "team": team,
            "call": team.call,
            "commission": team.commission,
            "members": team.members.all(),
            "is_member": member,
            "can_mark": (supervisor or coordinator) and published,
            "is_coordinator": coordinator,
            "items": items,
            "upload_failures": [m for m in items if m.upload_error],
            "next": following.next_due(items),
            "feedback": following.feedback_of(team),
            "feed_url": calendar.feed_url(feed) if feed else None,
            "upload_form": DeliverableForm(),
            "events": list(TeamEvent.objects.filter(team=team).select_related("actor")[:12])
            if (supervisor or coordinator)
            else [],
            "sections": [
                html
                for _receiver, html in dashboard_section.send(
                    sender=Team, request=request, team=team, is_member=member
                )
                if html
            ],
        },
        status=status,
    )


@login_required
def team(request, pk):
    return dashboard(request, _team_or_404(request.user, pk))


@login_required
@require_POST
def milestone_update(request, pk, milestone):
    """The supervisor (or a coordinator) marks a milestone done or not, with a note."""
    team = _team_or_404(request.user, pk)
    if not (
        rules.is_team_supervisor(request.user, team) or is_coordinator(request.user, team.call)
    ):
        raise Http404
    if team.call.is_finished():
        return refuse_finished(request, team.call)
    item = _milestone_or_404(team, milestone)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        following.set_done(item, request.user, form.cleaned_data["done"], form.cleaned_data["note"])
        messages.success(request, _("Saved: %(label)s.") % {"label": item.label})
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return _back_to(item)


def _back_to(milestone):
    """The team's page, at the milestone just changed."""
    return redirect(f"{reverse('teams:team', args=[milestone.team_id])}#milestone-{milestone.pk}")


@login_required
@require_POST
def milestone_move(request, pk, milestone):
    """A coordinator moves one team's date, or sends it back to the call's date."""
    team = _team_or_404(request.user, pk)
    if not is_coordinator(request.user, team.call):
        raise Http404
    if team.call.is_finished():
        return refuse_finished(request, team.call)
    item = _milestone_or_404(team, milestone)
    if request.POST.get("reset"):
        following.reset_milestone(item, request.user)
        messages.success(
            request, _("%(label)s follows the call's date again.") % {"label": item.label}
        )
        return _back_to(item)
    form = MoveForm(request.POST)
    if form.is_valid():
        old = timezone.localtime(item.starts_at)
        at = form.cleaned_data["time"] or old.time()
        following.move_milestone(
            item, request.user, following.local_start(form.cleaned_data["date"], at)
        )
        messages.success(request, _("%(label)s moved for this team.") % {"label": item.label})
    else:
        messages.error(request, _("Give a valid date (and time)."))
    return _back_to(item)


def _team_page(request, pk, milestone):
    return f"{reverse('teams:team', args=[pk])}#milestone-{milestone}"


@login_required
@require_POST
@limit_upload(lambda: settings.DELIVERABLE_MAX_BYTES, back=_team_page)
def upload(request, pk, milestone):
    """A student hands in a new version of the milestone's document."""
    team = _team_or_404(request.user, pk)
    member = rules.is_member(request.user, team)
    if not (member or is_coordinator(request.user, team.call)) or team.published_at is None:
        raise Http404
    item = _milestone_or_404(team, milestone)
    form = DeliverableForm(request.POST, request.FILES)
    if not form.is_valid():
        error = " ".join(e for errors in form.errors.values() for e in errors)
        return dashboard(request, team, {item.pk: error}, status=400)
    try:
        deliverable = following.add_deliverable(
            item, form.cleaned_data["file"], request.user, send=False
        )
    except following.FollowError as exc:
        return dashboard(request, team, {item.pk: str(exc)}, status=400)
    messages.success(
        request,
        _(
            "%(name)s is saved as a draft (version %(version)d): only your team and the "
            "programme see it until you send it."
        )
        % {"name": deliverable.filename, "version": deliverable.version},
    )
    return _back_to(item)


@login_required
@require_POST
def send(request, pk, deliverable):
    """A member sends a draft version (to the institution for a report or a presentation)."""
    team = _team_or_404(request.user, pk)
    member = rules.is_member(request.user, team)
    if not (member or is_coordinator(request.user, team.call)) or team.published_at is None:
        raise Http404
    item = get_object_or_404(
        Deliverable.objects.select_related("milestone__key_date"),
        pk=deliverable,
        milestone__team=team,
    )
    if request.POST.get("confirm") != "1":
        messages.error(request, _("Nothing was sent: tick the box to confirm first."))
    elif following.send_deliverable(item, request.user):
        messages.success(
            request,
            _("Version %(version)d of %(what)s is sent; the milestone is done.")
            % {"version": item.version, "what": item.milestone.get_deliverable_display()},
        )
    else:
        messages.info(request, _("This version was sent already."))
    return _back_to(item.milestone)


def serve_deliverable(deliverable):
    try:
        handle = deliverable.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("This file is no longer available.")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=deliverable.filename,
        content_type=content_type(deliverable.kind),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def download(request, pk, deliverable):
    team = _team_or_404(request.user, pk)
    item = get_object_or_404(
        Deliverable.objects.select_related("milestone"), pk=deliverable, milestone__team=team
    )
    return serve_deliverable(item)


@login_required
def supervisor_home(request):
    teams = list(
        Team.objects.filter(supervisor__user=request.user).published().for_board().with_members()
    )
    # The teams say who supervises; only someone with none published yet needs asking.
    if not teams and not Supervisor.objects.filter(user=request.user).exists():
        raise Http404
    items = following.annotate(list(Milestone.objects.filter(team__in=teams).timeline()))
    by_team = {}
    for m in items:
        by_team.setdefault(m.team_id, []).append(m)
    for t in teams:
        t.items = by_team.get(t.pk, [])
        t.next = following.next_due(t.items)
        t.late = sum(1 for m in t.items if m.status == "late")
    feed = calendar.feed_for(user=request.user) if teams else None
    return render(
        request,
        "teams/follow/supervisor_home.html",
        {
            "teams": teams,
            "feed_url": calendar.feed_url(feed) if feed else None,
            "to_review": review_queue(request.user),
        },
    )


# --- Calendar feeds -------------------------------------------------------------------


def feed(request, token):
    """The private calendar: no sign-in (calendar applications cannot), the token is the key."""
    # Tokens are URL-safe base64; anything else (NUL bytes included) is not looked up.
    valid = FEED_TOKEN.fullmatch(token) is not None
    item = valid and (
        CalendarFeed.objects.filter(token=token, revoked_at__isnull=True)
        .select_related("user__profile", "commission")
        .first()
    )
    # A deactivated account's address answers no more, even if it was not revoked.
    if not item or (item.user_id and not item.user.is_active):
        raise Http404(_("This calendar address is unknown or was replaced by a new one."))
    owner = item.commission.title if item.commission_id else item.user.get_full_name()
    title = f"MIAS — {owner}"
    items = calendar.milestones_of(item)
    # In the owner's language, whoever fetches it (a calendar server sends no preference).
    with translation.override(calendar.language_of_feed(item)):
        body = calendar.build(title, items)
    changed = calendar.last_change(items, since=item.created_at)
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    # Calendar applications poll: a conditional request gets 304 until something changes.
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=int(changed.timestamp()) if changed else None
    )
    response = not_modified or HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    if changed:
        response["Last-Modified"] = http_date(changed.timestamp())
    response["Content-Disposition"] = 'inline; filename="mias.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


@login_required
@require_POST
def feed_renew(request):
    if request.POST.get("confirm") != "1":
        messages.error(request, calendar.NOT_CONFIRMED)
    else:
        calendar.renew(user=request.user)
        messages.success(request, calendar.RENEWED)
    return redirect(request.POST.get("next") if _safe_next(request) else "teams:my_space")


def _safe_next(request):
    target = request.POST.get("next", "")
    return bool(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


# --- The coordinator's board ----------------------------------------------------------


@coordinator_view
def follow_board(request, call):
    form = CallMilestoneForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        following.add_call_milestone(
            call,
            request.user,
            data["label"],
            following.local_start(data["date"], data["time"]),
            data["actor"],
            data["location"],
            "document" if data["hand_in"] else "",
        )
        messages.success(request, _("Milestone added for every team."))
        return redirect("teams:follow", slug=call.slug)
    return render(
        request,
        "teams/follow/follow_board.html",
        {
            "call": call,
            "form": form,
            "labels": following.STATUS_LABELS,
            "undo": _undo_offer(request),
            **_board_page(request, call),
        },
        status=400 if form.errors else 200,
    )


BOARD_PAGE_SIZE = 25  # teams a page


def _board_page(request, call):
    """One page of the board: filters and sort from the query string (unknown values count as
    none), the columns and totals over the whole call, the cells of the page's teams only."""
    now = timezone.now()
    get = request.GET
    sort = get.get("sort", "")
    filters = {
        "q": search_term(request),
        "late": get.get("late") == "1",
        "feedback": get.get("feedback", "")
        if get.get("feedback") in following.FEEDBACK_FILTERS
        else "",
        "sort": sort if sort in following.BOARD_SORTS else "reference",
    }
    teams = following.board_teams(
        call, filters["q"], filters["late"], filters["feedback"], filters["sort"], now
    )
    page = page_of(request, teams, per_page=BOARD_PAGE_SIZE)
    columns = following.board_columns(call, now)
    rows, moved = following.board_rows(list(page.object_list), columns, now)
    filtered = any(filters[k] for k in ("q", "late", "feedback"))
    return {
        "board": {"columns": columns, "rows": rows, "moved": moved},
        "page": page,
        "filters": filters,
        "filtered": filtered,
        "total": Team.objects.filter(call=call).published().count()
        if filtered
        else page.paginator.count,
        "sorts": [
            ("reference", _("Reference")),
            ("title", _("Commission")),
            ("supervisor", _("Supervisor")),
            ("late", _("Most late steps first")),
        ],
    }


UNDO_KEY = "follow-undo"
UNDO_MINUTES = 30  # how long the board offers to undo a "done for several teams"


def _undo_offer(request):
    offer = request.session.get(UNDO_KEY)
    if offer and timezone.now().timestamp() - offer.get("at", 0) > UNDO_MINUTES * 60:
        request.session.pop(UNDO_KEY)
        return None
    return offer


def _teams_text(items):
    return ", ".join(m.team.commission.reference for m in items)


@coordinator_view
@require_POST
def follow_done(request, call):
    """One step marked done for several teams at once (the presentation is one evening).

    The board's button opens a confirmation naming each team, late ones unticked; once
    marked, the board offers to undo it."""
    if request.POST.get("action") == "undo":
        undo = request.session.pop(UNDO_KEY, None) or {}
        items = following.undo_column_done(call, request.user, undo.get("ids", []))
        if items:
            messages.success(
                request,
                _("Undone: %(label)s is open again for %(teams)s.")
                % {"label": undo.get("label", ""), "teams": _teams_text(items)},
            )
        else:
            messages.info(request, _("Nothing to undo."))
        return redirect("teams:follow", slug=call.slug)
    key = request.POST.get("key", "")[:40]
    candidates = following.column_candidates(call, key)
    if not candidates:
        messages.info(request, _("No team has this step open: nothing to mark."))
        return redirect("teams:follow", slug=call.slug)
    label = candidates[0].label
    error = None
    if request.POST.get("confirm") == "1":
        ids = {parse_id(v) for v in request.POST.getlist("milestone")} - {None}
        if ids & {m.pk for m in candidates}:
            items = following.mark_column_done(call, request.user, key, ids)
            request.session[UNDO_KEY] = {
                "ids": [m.pk for m in items],
                "label": str(label),
                "at": timezone.now().timestamp(),
            }
            messages.success(
                request,
                ngettext(
                    "%(label)s marked done for %(count)d team: %(teams)s.",
                    "%(label)s marked done for %(count)d teams: %(teams)s.",
                    len(items),
                )
                % {"label": label, "count": len(items), "teams": _teams_text(items)},
            )
            return redirect("teams:follow", slug=call.slug)
        error = _("Tick at least one team.")
    return render(
        request,
        "teams/follow/follow_done_confirm.html",
        {"call": call, "key": key, "label": label, "items": candidates, "error": error},
        status=400 if error else 200,
    )


@coordinator_view
def follow_export(request, call):
    return xlsx_response(board_workbook(call, following.board(call)), f"follow-up-{call.slug}.xlsx")


@coordinator_view
def reminders(request, call):
    """The reminder settings of the call and the log of what went out."""
    form = ReminderSettingsForm(request.POST if request.method == "POST" else None, instance=call)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Reminder settings saved."))
        return redirect("teams:reminders", slug=call.slug)
    log = list(
        Reminder.objects.filter(milestone__team__call=call)
        .select_related("milestone__key_date", "milestone__team__commission", "email")
        .order_by("-created_at", "-pk")[:200]
    )
    return render(
        request,
        "teams/follow/reminders.html",
        {
            "call": call,
            "form": form,
            "log": log,
            "planned": plan_reminders(call=call),
        },
        status=400 if form.errors else 200,
    )
