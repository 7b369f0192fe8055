"""The teams' part of a contact person's data: export, erasure, retention.

Connected in `TeamsConfig.ready` to `commissions.signals.contact_export` / `contact_erase`:
the commissions app asks, each app answers for what it stores.
- Student and supervisor accounts with the contact's address are exported, and counted but
  kept on erasure (the year needs them).
- The institution's feedback on its team's report is exported; on erasure every copy of the
  contact in it is scrubbed (the usefulness rating stays for the programme's statistics).
- The commission's calendar addresses die with its private links.
"""

from django.db.models import Prefetch

from commissions.accounts import language_of
from commissions.privacy.contacts import in_scope, iso, scrub_rows
from teams.models import CalendarFeed, Feedback, Preference, Student, Supervisor


def _roles(email, programme_ids):
    """The student and supervisor rows of this address in the coordinator's programmes."""
    return [
        in_scope(
            model.objects.filter(user__email__iexact=email), programme_ids, "call__programme_id"
        )  # fmt: skip
        for model in (Student, Supervisor)
    ]


def _feedback(commissions):
    rows = Feedback.objects.filter(team__commission__in=[c.pk for c in commissions])
    return rows.select_related("team__commission").order_by("submitted_at", "pk")


def _people(email, programme_ids):
    """Students and supervisors signed in with this address, grouped by account."""

    students, supervisors = _roles(email, programme_ids)
    students = students.select_related("user__profile", "call__programme", "team__commission")
    students = students.prefetch_related(
        Prefetch("preferences", queryset=Preference.objects.select_related("commission")),
        Prefetch("wishes", queryset=Student.objects.select_related("user")),
    )
    supervisors = supervisors.select_related("user__profile", "call__programme")
    supervisors = supervisors.prefetch_related("sectors", "teams__commission")
    accounts = {}

    def account(user):
        return accounts.setdefault(
            user.pk,
            {
                "username": user.get_username(),
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "date_joined": iso(user.date_joined),
                "last_login": iso(user.last_login),
                "account_language": language_of(user),
                "students": [],
                "supervisors": [],
            },
        )

    def call_of(person):
        return {"slug": person.call.slug, "programme": person.call.programme.name}

    for s in students:
        account(s.user)["students"].append(
            {
                "call": call_of(s),
                "language": s.language,
                "invited_at": iso(s.invited_at),
                "prior_studies": s.prior_studies,
                "languages": s.languages,
                "notes": s.notes,
                "ranked_at": iso(s.ranked_at),
                "ranking": [
                    {
                        "rank": p.rank,
                        "commission": p.commission.reference,
                        "title": p.commission.title,
                    }
                    for p in s.preferences.all()
                ],
                "wished_teammates": [w.name for w in s.wishes.all()],
                "team": (
                    {"commission": s.team.commission.reference, "title": s.team.commission.title}
                    if s.team_id
                    else None
                ),
            }
        )
    for s in supervisors:
        account(s.user)["supervisors"].append(
            {
                "call": call_of(s),
                "language": s.language,
                "invited_at": iso(s.invited_at),
                "capacity": s.capacity,
                "expertise_sectors": [sector.name for sector in s.sectors.all()],
                "teams": [
                    {"commission": t.commission.reference, "title": t.commission.title}
                    for t in s.teams.all()
                ],
            }
        )
    return list(accounts.values())


def export_contact(sender, commissions, email, programme_ids, **kwargs):
    return {
        "accounts": _people(email, programme_ids) if email else [],
        "feedback": [
            {
                "commission": f.team.commission.reference,
                "usefulness": f.usefulness,
                "improve": f.improve,
                "comments": f.comments,
                "submitted_at": iso(f.submitted_at),
                "updated_at": iso(f.updated_at),
            }
            for f in _feedback(commissions)
        ],
    }


def erase_contact(sender, commissions, email, programme_ids, scrubber, **kwargs):
    counts = {
        "feedback_scrubbed": scrub_rows(_feedback(commissions), scrubber, ["improve", "comments"]),
        "calendar_feeds_deleted": CalendarFeed.objects.filter(
            commission__in=[c.pk for c in commissions]
        ).delete()[0],
    }
    if email:  # accounts are kept: counted, without exporting them
        counts["accounts_kept"] = len(
            {
                user
                for rows in _roles(email, programme_ids)
                for user in rows.values_list("user_id", flat=True)
            }
        )
    return counts
