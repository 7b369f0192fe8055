"""Following the teams through the year: milestones, deliverables, feedback, reminders.

The dates and statuses are computed by milestones.py; this module reads and writes the
database, and records every change as a TeamEvent.
"""

from collections import defaultdict
from datetime import datetime, time
from hashlib import sha256

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commissions.models import KeyDate
from teams.follow import documents, milestones
from teams.models import Deliverable, Feedback, Milestone, Student, Team, TeamEvent

# The key dates that become milestones; the submission deadline and the phone contact are
# over before any team exists.
FOLLOWED = {
    KeyDate.Kind.PRESENTATION,
    KeyDate.Kind.CLARIFICATION,
    KeyDate.Kind.EXPLORATION,
    KeyDate.Kind.REPORT,
    KeyDate.Kind.FEEDBACK,
    KeyDate.Kind.ORAL,
    KeyDate.Kind.END,
    KeyDate.Kind.OTHER,
}
HANDED_IN = {
    KeyDate.Kind.REPORT: Milestone.Deliverable.REPORT,
    KeyDate.Kind.ORAL: Milestone.Deliverable.PRESENTATION,
}
DUE_SOON_DAYS = 7


class FollowError(Exception):
    """A change that cannot be made; the message says why."""


def zone():
    return milestones.zone_of(settings.TIME_ZONE)


def due_of(item):
    """The due moment of a key date or a milestone, in the programme's time zone."""
    return milestones.due_moment(item.starts_at, item.ends_at, item.all_day, zone())


def _dates(key_date):
    return {
        "starts_at": key_date.starts_at,
        "ends_at": key_date.ends_at,
        "all_day": key_date.all_day,
        "due_at": due_of(key_date),
    }


# --- Milestones -----------------------------------------------------------------------


def _key_dates_for(team, key_dates):
    """The call's followed key dates for this team: one oral presentation, the one chosen."""
    orals = [kd for kd in key_dates if kd.kind == KeyDate.Kind.ORAL]
    chosen = next(
        (kd for kd in orals if kd.pk == team.commission.preferred_presentation_id),
        orals[0] if orals else None,
    )
    return [
        kd
        for kd in key_dates
        if kd.kind in FOLLOWED and (kd.kind != KeyDate.Kind.ORAL or kd is chosen)
    ]


def generate_milestones(call, teams=None):
    """Give each published team the milestones it lacks; returns how many were made."""
    key_dates = list(call.key_dates.order_by("starts_at", "pk"))
    if teams is None:
        teams = Team.objects.filter(call=call).published().select_related("commission")
    teams = list(teams)
    existing = set(Milestone.objects.filter(team__in=teams).values_list("team_id", "key_date_id"))
    new = []
    for team in teams:
        for kd in _key_dates_for(team, key_dates):
            if (team.pk, kd.pk) not in existing:
                new.append(
                    Milestone(
                        team=team,
                        key_date=kd,
                        deliverable=HANDED_IN.get(kd.kind, ""),
                        **_dates(kd),
                    )
                )
    Milestone.objects.bulk_create(new)
    return len(new)


def key_date_changed(key_date, created=False):
    """A key date moved (or was added): every team's milestone follows unless moved for it."""
    Milestone.objects.filter(key_date=key_date, overridden=False).update(
        **_dates(key_date), updated_at=timezone.now()
    )
    if created and key_date.kind == KeyDate.Kind.OTHER:
        generate_milestones(key_date.call)


def add_call_milestone(call, user, label, starts_at, actor, location="", deliverable=""):
    """A milestone for every team of the call, as a new key date of the call."""
    tz = zone()
    with transaction.atomic():
        key_date = KeyDate.objects.create(
            call=call,
            kind=KeyDate.Kind.OTHER,
            label=label,
            starts_at=starts_at,
            all_day=starts_at.astimezone(tz).time() == time(0),
            location=location,
            actor=actor,
        )
        # Saving the key date gave every published team its milestone (key_date_changed).
        if deliverable:
            Milestone.objects.filter(key_date=key_date).update(deliverable=deliverable)
        TeamEvent.objects.create(
            call=call,
            actor=user,
            kind=TeamEvent.Kind.MILESTONE_ADDED,
            message=_("Milestone added for every team: %(label)s") % {"label": label},
        )
    return key_date


def move_milestone(milestone, user, new_start):
    """Move one team's milestone; it stops following the call's key date."""
    starts_at, ends_at = milestones.shift(milestone.starts_at, milestone.ends_at, new_start)
    milestone.starts_at, milestone.ends_at = starts_at, ends_at
    milestone.due_at = due_of(milestone)
    milestone.overridden = True
    with transaction.atomic():
        milestone.save(update_fields=["starts_at", "ends_at", "due_at", "overridden", "updated_at"])
        TeamEvent.record(
            milestone.team,
            user,
            TeamEvent.Kind.DATE_MOVED,
            _("%(label)s moved to %(date)s")
            % {"label": milestone.label, "date": local_text(starts_at, milestone.all_day)},
        )


def reset_milestone(milestone, user):
    """Back to the call's date for this step."""
    for name, value in _dates(milestone.key_date).items():
        setattr(milestone, name, value)
    milestone.overridden = False
    with transaction.atomic():
        milestone.save()
        TeamEvent.record(
            milestone.team,
            user,
            TeamEvent.Kind.DATE_MOVED,
            _("%(label)s follows the call's date again") % {"label": milestone.label},
        )


def column_key(key_date):
    """The board's column of a key date: the two oral-presentation days are one step."""
    return key_date.kind if key_date.kind != KeyDate.Kind.OTHER else f"other-{key_date.pk}"


# A step due within these days is a plenary that just took place: ticked by default on the
# confirmation page. Older open steps are late for their team and stay unticked.
RECENT_DAYS = 3


def column_candidates(call, key, now=None):
    """The open milestones of a board column whose time has come, by team reference.

    Each has `recent`: due within RECENT_DAYS (a plenary that just took place) rather than
    late for its team, which the coordinator should not mark done without looking."""
    now = now or timezone.now()
    items = [
        m
        for m in Milestone.objects.for_board(call)
        .filter(done_at__isnull=True, due_at__lte=now)
        .select_related("team__commission")
        if column_key(m.key_date) == key
    ]
    for m in items:
        m.recent = (now - m.due_at).days < RECENT_DAYS
    return sorted(items, key=lambda m: (m.team.commission.reference, m.pk))


def mark_column_done(call, user, key, ids=None, now=None):
    """Mark done the chosen open milestones of a column (all of them without ids).

    Returns the milestones marked, so that the message can name the teams and undo them."""
    items = column_candidates(call, key, now)
    if ids is not None:
        items = [m for m in items if m.pk in set(ids)]
    with transaction.atomic():
        for m in items:
            set_done(m, user)
    return items


def undo_column_done(call, user, ids):
    """Reopen what this person just marked done for several teams (still done by them)."""
    items = list(
        Milestone.objects.filter(
            pk__in=ids, team__call=call, done_by=user, done_at__isnull=False
        ).select_related("team__commission", "key_date")
    )
    with transaction.atomic():
        for m in items:
            set_done(m, user, done=False)
    return items


def set_done(milestone, user, done=True, note=None):
    with transaction.atomic():
        fields = ["updated_at"]
        if done and milestone.done_at is None:
            milestone.done_at, milestone.done_by = timezone.now(), user
            fields += ["done_at", "done_by"]
            TeamEvent.record(milestone.team, user, TeamEvent.Kind.DONE, milestone.label)
        elif not done and milestone.done_at is not None:
            milestone.done_at, milestone.done_by = None, None
            fields += ["done_at", "done_by"]
            TeamEvent.record(milestone.team, user, TeamEvent.Kind.REOPENED, milestone.label)
        if note is not None and note != milestone.note:
            milestone.note = note
            fields.append("note")
        milestone.save(update_fields=fields)


def local_text(moment, all_day=False):
    from django.utils.formats import date_format

    local = timezone.localtime(moment)
    if all_day:
        return date_format(local, "DATE_FORMAT")
    return date_format(local, "DATETIME_FORMAT")


def local_start(day, at=None):
    """An aware start in the programme's time zone from a date and an optional time."""
    return datetime.combine(day, at or time(0), tzinfo=zone())


# --- What pages show ------------------------------------------------------------------


# Lazy: read in the language of each request, not of the first import.
STATUS_LABELS = {
    milestones.UPCOMING: gettext_lazy("Upcoming"),
    milestones.DUE_SOON: gettext_lazy("Due soon"),
    milestones.DONE: gettext_lazy("Done"),
    milestones.LATE: gettext_lazy("Late"),
}


def annotate(items, now=None):
    """Give each milestone its status, days left and countdown, as of now."""
    now = now or timezone.now()
    tz = zone()
    for m in items:
        m.status = milestones.status(m.due_at, m.done_at, now, tz, DUE_SOON_DAYS, m.all_day)
        m.days_left = milestones.days_left(m.due_at, now, tz, m.all_day)
        m.countdown = milestones.Countdown.until(m.due_at, now)
        m.due_day = milestones.due_day(m.due_at, tz, m.all_day)
    return items


def next_due(items):
    """The milestone not done whose due moment comes first among those still ahead."""
    ahead = [m for m in items if m.status in (milestones.UPCOMING, milestones.DUE_SOON)]
    return min(ahead, key=lambda m: (m.due_at, m.pk), default=None)


def team_timeline(team, now=None):
    """The team's milestones in order, with their deliverables' versions, annotated."""
    items = list(
        team.milestones.timeline()
        .select_related("done_by")
        .prefetch_related(
            Prefetch(
                "deliverables",
                queryset=Deliverable.objects.select_related("uploaded_by").order_by("-version"),
            )
        )
    )
    return annotate(items, now)


def send_deliverable(deliverable, user):
    """Send a draft version: the institution sees it from now on and the milestone is done."""
    milestone = deliverable.milestone
    with transaction.atomic():
        Milestone.objects.select_for_update().filter(pk=milestone.pk).first()
        deliverable.refresh_from_db()
        if deliverable.sent_at is not None:
            return False
        deliverable.sent_at, deliverable.sent_by = timezone.now(), user
        deliverable.save(update_fields=["sent_at", "sent_by"])
        TeamEvent.record(
            milestone.team,
            user,
            TeamEvent.Kind.DELIVERABLE,
            _("%(label)s: version %(version)d sent (%(name)s)")
            % {
                "label": milestone.label,
                "version": deliverable.version,
                "name": deliverable.filename,
            },
        )
        if milestone.done_at is None:
            milestone.done_at, milestone.done_by = timezone.now(), user
            milestone.save(update_fields=["done_at", "done_by", "updated_at"])
    return True


def feedback_of(team):
    """The team's feedback, or None: no query when the team was fetched with it
    (`select_related("feedback")`)."""
    try:
        return team.feedback
    except Feedback.DoesNotExist:
        return None


def report_milestone(items):
    return next((m for m in items if m.deliverable == Milestone.Deliverable.REPORT), None)


def board_columns(call, now=None):
    """The board's steps in order, from one grouped query whatever the cohort's size.

    Each column counts its late milestones over every published team of the call: the
    "done for N teams" button acts on all of them, not only on the page shown."""
    now = now or timezone.now()
    key_dates = {kd.pk: kd for kd in call.key_dates.all()}
    groups = (
        Milestone.objects.filter(team__call=call, team__published_at__isnull=False)
        .values("key_date_id")
        .annotate(
            first=Min("due_at"),
            late=Count("pk", filter=Q(done_at__isnull=True, due_at__lte=now)),
        )
        .order_by()
    )
    columns = {}
    for group in groups:
        kd = key_dates[group["key_date_id"]]
        key = column_key(kd)
        label = kd.label_text if kd.kind == KeyDate.Kind.OTHER else kd.get_kind_display()
        column = columns.setdefault(
            key, {"key": key, "label": label, "first": group["first"], "open": 0}
        )
        column["first"] = min(column["first"], group["first"])
        column["open"] += group["late"]
    return sorted(columns.values(), key=lambda c: c["first"])


def board_rows(teams, columns, now=None, call=None):
    """A row per team given, a cell per column: only these teams' milestones are read
    (the whole call's, by the call rather than a long list of ids, when call is given)."""
    scope = {"team__call": call} if call is not None else {"team__in": teams}
    items = annotate(list(Milestone.objects.filter(**scope).select_related("key_date")), now)
    given = set(Feedback.objects.filter(**scope).values_list("team_id", flat=True))
    cells = defaultdict(dict)
    for m in items:
        cells[m.team_id][column_key(m.key_date)] = m
    rows = [
        {
            "team": team,
            "cells": [cells[team.pk].get(c["key"]) for c in columns],
            "feedback": team.pk in given,
        }
        for team in teams
    ]
    return rows, any(m.overridden for m in items)


# The board's sorts, done by the database across pages; the reference breaks ties.
BOARD_SORTS = {
    "reference": ("commission__reference",),
    "title": ("commission__title", "commission__reference"),
    "supervisor": (  # teams without a supervisor last, on SQLite as on PostgreSQL
        F("supervisor__user__last_name").asc(nulls_last=True),
        F("supervisor__user__first_name").asc(nulls_last=True),
        "commission__reference",
    ),
    "late": ("-late", "commission__reference"),
}
FEEDBACK_FILTERS = ("given", "missing")


def board_teams(call, query="", late=False, feedback="", sort="reference", now=None):
    """The published teams of the board, filtered and sorted in the database (a queryset:
    the page paginates it; unknown filter or sort values count as none)."""
    now = now or timezone.now()
    overdue = Milestone.objects.filter(team=OuterRef("pk"), done_at__isnull=True, due_at__lte=now)
    # A subquery rather than a join: the paginator's count leaves it out.
    members = Student.objects.filter(team=OuterRef("pk")).order_by().values("team")
    size = Coalesce(Subquery(members.annotate(n=Count("pk")).values("n")[:1]), 0)
    teams = Team.objects.filter(call=call).published().for_board().annotate(size=size)
    query = query.strip()
    if query:
        teams = teams.filter(
            Q(commission__reference__icontains=query)
            | Q(commission__title__icontains=query)
            | Q(commission__institution__name__icontains=query)
            | Q(supervisor__user__last_name__icontains=query)
            | Q(supervisor__user__first_name__icontains=query)
        )
    if late:
        teams = teams.filter(Exists(overdue))
    if feedback in FEEDBACK_FILTERS:
        given = Exists(Feedback.objects.filter(team=OuterRef("pk")))
        teams = teams.filter(given if feedback == "given" else ~given)
    if sort == "late":
        counted = overdue.order_by().values("team").annotate(n=Count("pk")).values("n")[:1]
        teams = teams.annotate(late=Coalesce(Subquery(counted), 0))
    return teams.order_by(*BOARD_SORTS.get(sort, BOARD_SORTS["reference"]))


def board(call, now=None):
    """The whole cohort as rows (teams) × columns (steps), for the workbook."""
    columns = board_columns(call, now)
    teams = list(board_teams(call, now=now))
    rows, moved = board_rows(teams, columns, now, call=call)
    given = list(Feedback.objects.filter(team__call=call).select_related("team__commission"))
    return {"columns": columns, "rows": rows, "feedback": given, "moved": moved}


# --- Deliverables ---------------------------------------------------------------------


def add_deliverable(milestone, upload, user, send=True):
    """Keep a new version of the milestone's document; sent at once (the milestone done) or,
    without send, a draft that only the team and the programme see until send_deliverable."""
    if not milestone.deliverable:
        raise FollowError(_("Nothing is handed in for this milestone."))
    try:
        kind = documents.check(upload, settings.DELIVERABLE_MAX_BYTES)
    except documents.DocumentError as exc:
        raise FollowError(str(exc)) from None
    digest = sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        Milestone.objects.select_for_update().filter(pk=milestone.pk).first()
        last = milestone.deliverables.aggregate(last=Max("version"))["last"] or 0
        name = documents.clean_filename(upload.name)
        deliverable = Deliverable(
            milestone=milestone,
            version=last + 1,
            filename=name,
            kind=kind,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=user,
        )
        if send:
            deliverable.sent_at, deliverable.sent_by = timezone.now(), user
        deliverable.file.save(name, upload, save=False)
        try:
            deliverable.save()
        except Exception:
            deliverable.file.delete(save=False)
            raise
        TeamEvent.record(
            milestone.team,
            user,
            TeamEvent.Kind.DELIVERABLE,
            (
                _("%(label)s: version %(version)d sent (%(name)s)")
                if send
                else _("%(label)s: version %(version)d saved as a draft (%(name)s)")
            )
            % {"label": milestone.label, "version": deliverable.version, "name": name},
        )
        if send and milestone.done_at is None:
            milestone.done_at, milestone.done_by = timezone.now(), user
            milestone.save(update_fields=["done_at", "done_by", "updated_at"])
    return deliverable


# --- Institution feedback -------------------------------------------------------------


def feedback_open(team, items):
    """Once the report is handed in, until the end of the lab."""
    report = report_milestone(items)
    if report is None or not any(d.sent_at for d in report.deliverables.all()):
        return False
    ends = [m.due_at for m in items if m.key_date.kind == KeyDate.Kind.END]
    return not ends or timezone.now() < max(ends)


def save_feedback(team, data, items):
    report = report_milestone(items)
    with transaction.atomic():
        Team.objects.select_for_update().filter(pk=team.pk).first()
        feedback, created = Feedback.objects.update_or_create(
            team=team,
            defaults={
                "milestone": report,
                "usefulness": data["usefulness"],
                "improve": data["improve"],
                "comments": data["comments"],
            },
        )
        TeamEvent.objects.create(
            call_id=team.call_id,
            team=team,
            actor=None,
            kind=TeamEvent.Kind.FEEDBACK,
            message=_("Feedback from the institution: %(score)s/5")
            % {"score": feedback.usefulness},
        )
    return feedback, created


# --- Reminders ------------------------------------------------------------------------
