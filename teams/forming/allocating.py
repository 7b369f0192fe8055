"""Forming the teams of a call: run the allocation, apply, edit by hand, lock, publish.

The optimisers in allocation.py see plain data; this module feeds them from the database
and writes their proposal back, with every change recorded as a TeamEvent.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commissions.models import Call, Commission
from commissions.models.translated import in_every_language
from commissions.outbox.mail import queue_email
from mias.i18n import render, to_json
from mias.signals import written
from teams.follow.following import generate_milestones, local_text
from teams.forming import allocation
from teams.models import AllocationRun, Preference, Student, Supervisor, Team, TeamEvent


class TeamsError(Exception):
    """A change the coordinator asked for that cannot be made; the message says why."""


@dataclass(frozen=True, order=True)
class Ref:
    """An id for the optimisers: ordered and compared by pk, printed as a name."""

    pk: int
    label: str = field(compare=False)

    def __str__(self):
        return self.label


def selected_commissions(call):
    return (
        Commission.objects.filter(call=call, status=Commission.Status.SELECTED)
        .select_related("institution", "sector")
        .order_by("reference")
    )


def is_published(call):
    return call.teams.published().exists()


@dataclass
class Inputs:
    commissions: list
    students: list
    supervisors: list
    locked: dict  # commission pk -> Team
    ranks: dict  # student pk -> {commission pk: rank}
    wishes: dict  # student pk -> [student pk]

    def fingerprint(self):
        data = {
            "commissions": [c.pk for c in self.commissions],
            "students": [[s.pk, s.prior_studies, sorted(s.languages or [])] for s in self.students],
            "ranks": sorted((s, sorted(r.items())) for s, r in self.ranks.items()),
            "wishes": sorted((s, sorted(w)) for s, w in self.wishes.items()),
            "supervisors": [
                [s.pk, s.capacity, sorted(x.pk for x in s.sectors.all())] for s in self.supervisors
            ],
            "locked": sorted(
                (cid, t.supervisor_id, sorted(m.pk for m in t.members.all()))
                for cid, t in self.locked.items()
            ),
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def load_inputs(call):
    """Everything the allocation reads, in a fixed number of queries."""
    commissions = list(selected_commissions(call))
    students = list(Student.objects.filter(call=call).for_listing())
    supervisors = list(
        Supervisor.objects.filter(call=call).for_listing().prefetch_related("sectors")
    )
    locked = {
        t.commission_id: t
        for t in Team.objects.filter(call=call, locked=True).prefetch_related("members")
    }
    ranks = {}
    for (sid, cid), rank in Preference.objects.ranks(call).items():
        ranks.setdefault(sid, {})[cid] = rank
    wishes = {}
    for a, b in Student.wishes.through.objects.filter(from_student__call=call).values_list(
        "from_student_id", "to_student_id"
    ):
        wishes.setdefault(a, []).append(b)
    return Inputs(commissions, students, supervisors, locked, ranks, wishes)


def _background(text):
    return " ".join((text or "").casefold().split())


def run_allocation(call, user, mode=allocation.MODES[0], balance=True):
    """Solve, store the proposal as a numbered AllocationRun, and return it."""
    data = load_inputs(call)
    locked_members = {m.pk for t in data.locked.values() for m in t.members.all()}
    free = [c for c in data.commissions if c.pk not in data.locked]
    people = {s.pk: Ref(s.pk, s.name) for s in data.students}
    refs = {c.pk: Ref(c.pk, c.title) for c in free}
    students = [
        allocation.Student(
            id=people[s.pk],
            ranks={refs[c]: r for c, r in data.ranks.get(s.pk, {}).items() if c in refs},
            background=_background(s.prior_studies),
            languages=frozenset(s.languages or ()),
            wishes=tuple(people[w] for w in data.wishes.get(s.pk, ()) if w in people),
        )
        for s in data.students
        if s.pk not in locked_members
    ]
    projects = [
        allocation.Project(
            id=refs[c.pk],
            min_size=call.team_size_min,
            max_size=call.team_size_max,
            languages_needed=frozenset(c.languages or ()),
        )
        for c in free
    ]
    alloc = allocation.allocate_students(students, projects, mode=mode, balance=balance)
    result = {
        "fingerprint": data.fingerprint(),
        "feasible": alloc.feasible,
        "reason": alloc.reason,
        "summary": alloc.summary,
        "commissions": [c.pk for c in free],
        "locked": sorted(data.locked),
        "profile": alloc.profile,
        "mean_rank": alloc.mean_rank,
        "assignment": {str(s.pk): p.pk for s, p in alloc.assignment.items()},
        "rank_of": {str(s.pk): r for s, r in alloc.rank_of.items()},
        "explanations": {str(s.pk): text for s, text in alloc.explanations.items()},
        "unranked": [s.pk for s in alloc.unranked],
        "off_list": [s.pk for s in alloc.off_list],
        "wish_pairs": alloc.wish_pairs,
        "wishes_honoured": alloc.wishes_honoured,
        "size_violations": alloc.size_violations,
        "supervisors": {},
        "supervisor_explanations": {},
        "supervisor_reason": "",
    }
    if alloc.feasible:
        _assign_supervisors(result, data, free)
    seconds = alloc.stats.get("seconds", 0.0)
    with transaction.atomic():
        Call.objects.select_for_update().filter(pk=call.pk).first()
        last = call.allocation_runs.order_by("-number").values_list("number", flat=True).first()
        return AllocationRun.objects.create(
            call=call,
            number=(last or 0) + 1,
            mode=mode,
            balance=balance,
            created_by=user,
            result=to_json(result),  # explanations as codes and numbers
            seconds=seconds,
        )


def _assign_supervisors(result, data, free):
    used = {}
    for team in data.locked.values():
        if team.supervisor_id:
            used[team.supervisor_id] = used.get(team.supervisor_id, 0) + 1
    sectors = {
        c.sector_id: Ref(c.sector_id, in_every_language(c.sector)) for c in free if c.sector_id
    }
    teams = [(Ref(c.pk, c.title), sectors.get(c.sector_id)) for c in free]
    sups = [
        allocation.Supervisor(
            id=Ref(s.pk, s.name),
            sectors=frozenset(Ref(x.pk, in_every_language(x)) for x in s.sectors.all()),
            capacity=max(s.capacity - used.get(s.pk, 0), 0),
        )
        for s in data.supervisors
    ]
    outcome = allocation.assign_supervisors(teams, sups)
    result["supervisor_reason"] = outcome.reason
    result["supervisors"] = {str(t.pk): s.pk for t, s in outcome.assignment.items()}
    result["supervisor_explanations"] = {
        str(t.pk): text for t, text in outcome.explanations.items()
    }
    result["supervisor_matches"] = outcome.matched


def is_stale(run):
    return run.result.get("fingerprint") != load_inputs(run.call).fingerprint()


def _lock_call(call):
    Call.objects.select_for_update().filter(pk=call.pk).first()
    if is_published(call):
        raise TeamsError(_("The teams are published: they can no longer change."))


def apply_run(run, user):
    """Make the run's proposal the call's teams (locked teams stay as they are)."""
    call = run.call
    with transaction.atomic():
        _lock_call(call)
        if not run.feasible:
            raise TeamsError(render(run.result.get("reason")) or _("This proposal has no teams."))
        if is_stale(run):
            raise TeamsError(
                _(
                    "Students, preferences, supervisors or locked teams changed since this "
                    "proposal: run the allocation again."
                )
            )
        result = run.result
        teams = {t.commission_id: t for t in Team.objects.filter(call=call)}
        wanted = set(result["commissions"])
        stale = [t.pk for cid, t in teams.items() if cid not in wanted and not t.locked]
        if stale:
            Student.objects.filter(team_id__in=stale).update(team=None)
            Team.objects.filter(pk__in=stale).delete()
        members = {}
        for sid, cid in result["assignment"].items():
            members.setdefault(cid, []).append(int(sid))
        for cid in result["commissions"]:
            team = teams.get(cid) or Team.objects.create(call=call, commission_id=cid)
            team.supervisor_id = result["supervisors"].get(str(cid))
            team.save(update_fields=["supervisor", "updated_at"])
            Student.objects.filter(team=team).exclude(pk__in=members.get(cid, [])).update(team=None)
            Student.objects.filter(pk__in=members.get(cid, [])).update(team=team)
        written(Student)  # the members moved by queryset updates
        run.applied_at = timezone.now()
        run.save(update_fields=["applied_at"])
        TeamEvent.record(
            call,
            user,
            TeamEvent.Kind.APPLIED,
            _("Proposal %(number)d applied: %(summary)s")
            % {"number": run.number, "summary": render(result.get("summary"))},
        )
    return run


def _editable(team):
    if team.locked:
        raise TeamsError(
            _("The team of %(commission)s is locked: unlock it first.")
            % {"commission": team.commission.title}
        )


def move_student(call, student, team, user):
    """Put a student in another team (or in none); returns the call's warnings after."""
    with transaction.atomic():
        _lock_call(call)
        student = Student.objects.select_related("team__commission", "user").get(pk=student.pk)
        if student.team_id == (team.pk if team else None):
            return problems(call)
        for t in (student.team, team):
            if t is not None:
                _editable(t)
        before = student.team
        student.team = team
        student.save(update_fields=["team"])
        args = {
            "student": student.name,
            "from": before.commission.title if before else _("no team"),
            "to": team.commission.title if team else _("no team"),
        }
        TeamEvent.record(
            team or before or call,
            user,
            TeamEvent.Kind.MOVED,
            _("%(student)s moved from %(from)s to %(to)s.") % args,
        )
    return problems(call)


def set_supervisor(call, team, supervisor, user):
    with transaction.atomic():
        _lock_call(call)
        _editable(team)
        team.supervisor = supervisor
        team.save(update_fields=["supervisor", "updated_at"])
        TeamEvent.record(
            team,
            user,
            TeamEvent.Kind.SUPERVISOR,
            _("Supervisor of %(commission)s: %(supervisor)s.")
            % {
                "commission": team.commission.title,
                "supervisor": supervisor.name if supervisor else _("none"),
            },
        )
    return problems(call)


def set_locked(call, team, locked, user):
    with transaction.atomic():
        _lock_call(call)
        if team.locked == locked:
            return
        team.locked = locked
        team.save(update_fields=["locked", "updated_at"])
        kind = TeamEvent.Kind.LOCKED if locked else TeamEvent.Kind.UNLOCKED
        TeamEvent.record(team, user, kind, team.commission.title)


@dataclass
class Problems:
    blocking: list
    warnings: list
    # Before the ranking deadline: the deadline, and the students who have not ranked yet.
    ranking_deadline: object = None
    unranked: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.blocking or self.warnings)

    @property
    def early(self):
        return self.ranking_deadline is not None


def ranking_still_open(call, now=None):
    """(deadline, students who have not ranked) while students may still rank; (None, [])."""
    now = now or timezone.now()
    if not call.preferences_deadline or now >= call.preferences_deadline:
        return None, []
    unranked = list(
        Student.objects.filter(call=call, preferences__isnull=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
        .distinct()
    )
    return call.preferences_deadline, unranked


def problems(call):
    """What stops publishing (blocking) and what the coordinator should know (warnings)."""
    blocking, warnings = [], []
    commissions = list(selected_commissions(call).values_list("pk", "title"))
    teams = {
        t.commission_id: t
        for t in Team.objects.filter(call=call)
        .select_related("commission")
        .annotate(size=Count("members"))
    }
    missing = [title for pk, title in commissions if pk not in teams]
    if missing:
        blocking.append(
            _("No team yet for: %(commissions)s.") % {"commissions": ", ".join(missing)}
        )
    unplaced = list(
        Student.objects.filter(call=call, team__isnull=True)
        .select_related("user")
        .order_by("user__last_name")[:11]
    )
    if unplaced:
        names = ", ".join(s.name for s in unplaced[:10]) + ("…" if len(unplaced) > 10 else "")
        blocking.append(_("Students without a team: %(names)s.") % {"names": names})
    for team in sorted(teams.values(), key=lambda t: t.commission.reference):
        title = team.commission.title
        if team.supervisor_id is None:
            blocking.append(_("%(commission)s has no supervisor.") % {"commission": title})
        if team.size < call.team_size_min:
            warnings.append(
                _("%(commission)s has %(size)d students, below the minimum of %(min)d.")
                % {"commission": title, "size": team.size, "min": call.team_size_min}
            )
        elif team.size > call.team_size_max:
            warnings.append(
                _("%(commission)s has %(size)d students, above the maximum of %(max)d.")
                % {"commission": title, "size": team.size, "max": call.team_size_max}
            )
    for sup in (
        Supervisor.objects.filter(call=call)
        .select_related("user")
        .annotate(load=Count("teams"))
        .filter(load__gt=0)
    ):
        if sup.load > sup.capacity:
            warnings.append(
                ngettext(
                    "%(supervisor)s supervises %(load)d teams, above their capacity of "
                    "%(capacity)d team.",
                    "%(supervisor)s supervises %(load)d teams, above their capacity of "
                    "%(capacity)d teams.",
                    sup.capacity,
                )
                % {"supervisor": sup.name, "load": sup.load, "capacity": sup.capacity}
            )
    deadline, unranked = ranking_still_open(call)
    return Problems(blocking, warnings, deadline, unranked)


def publish(call, user, accept_warnings=False, before_deadline=False):
    """Lock every team, tell students, supervisors and institutions (each e-mail once).

    Before the ranking deadline the coordinator must say so (before_deadline): publishing
    closes the ranking for every student, those who have not ranked yet included."""
    with transaction.atomic():
        _lock_call(call)
        found = problems(call)
        if found.blocking:
            raise TeamsError(" ".join(found.blocking))
        if found.early and not before_deadline:
            raise TeamsError(
                _(
                    "Students may rank until %(deadline)s: confirm that you publish before the "
                    "deadline, which closes the ranking for everyone."
                )
                % {"deadline": local_text(found.ranking_deadline)}
            )
        if found.warnings and not accept_warnings:
            raise TeamsError(
                _("Confirm that you publish despite the warnings: %(warnings)s")
                % {"warnings": " ".join(found.warnings)}
            )
        now = timezone.now()
        teams = list(
            Team.objects.filter(call=call)
            .select_related("commission", "supervisor__user__profile")
            .with_members()
        )
        if not teams:
            raise TeamsError(_("There are no teams to publish yet."))
        Team.objects.filter(call=call).update(locked=True, published_at=now)
        Call.objects.filter(pk=call.pk).update(status=Call.Status.RUNNING)
        written(Team, Call)  # updates: the home page lists the call's status
        generate_milestones(call, teams)  # all of them published just above
        supervisors = {}
        for team in teams:
            for student in team.members.all():
                queue_email(
                    f"team:{team.pk}:student:{student.pk}",
                    "team_student",
                    student.email,
                    student.reader_language,
                    call=call,
                    params={"person": student.pk, "team": team.pk},
                )
            commission = team.commission
            queue_email(
                f"team:{team.pk}:institution",
                "team_institution",
                commission.contact_email,
                commission.submitter_language,
                commission=commission,
                call=call,
                params={"team": team.pk},
            )
            if team.supervisor_id:
                supervisors[team.supervisor_id] = team.supervisor
        for supervisor in supervisors.values():
            queue_email(
                f"teams:{call.pk}:supervisor:{supervisor.pk}",
                "team_supervisor",
                supervisor.email,
                supervisor.reader_language,
                call=call,
                params={"person": supervisor.pk},
            )
        TeamEvent.record(
            call,
            user,
            TeamEvent.Kind.PUBLISHED,
            ngettext("%(count)d team published.", "%(count)d teams published.", len(teams))
            % {"count": len(teams)},
        )
    return len(teams)
