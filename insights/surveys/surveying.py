"""Sending the end-of-year survey once with one reminder, saving answers, reading results."""

from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone

from commissions.outbox.mail import queue_email
from insights.models import OralFeedback, PeerRating, SurveyAnswer, SurveyRound
from insights.surveys.peers import peer_summary
from teams.models import Student


def surveyed_students(call):
    """The students the survey is for: those in a published team of the call."""
    return Student.objects.filter(call=call, team__published_at__isnull=False).select_related(
        "user"
    )


def _queue(students, kind, call):
    for student in students:
        queue_email(
            f"{kind}:{student.pk}",  # the key makes it once per student, whatever happens
            kind,
            student.user.email,
            language=student.language,
            call=call,
            params={"person": student.pk},
        )


@transaction.atomic
def send_survey(call, user):
    """Queue the survey to every student of a published team; returns how many, or 0 when it
    already went."""
    survey_round, _created = SurveyRound.objects.select_for_update().get_or_create(call=call)
    if survey_round.sent_at:
        return 0
    students = list(surveyed_students(call))
    _queue(students, "survey", call)
    survey_round.sent_at, survey_round.sent_by = timezone.now(), user
    survey_round.save()
    return len(students)


@transaction.atomic
def send_reminder(call):
    """Queue the one reminder to the students who have not answered; None if not possible."""
    survey_round = SurveyRound.objects.select_for_update().filter(call=call).first()
    if survey_round is None or not survey_round.sent_at or survey_round.reminded_at:
        return None
    students = list(surveyed_students(call).filter(survey_answer__isnull=True))
    _queue(students, "survey_reminder", call)
    survey_round.reminded_at = timezone.now()
    survey_round.save()
    return len(students)


@transaction.atomic
def save_answer(student, data, peers):
    """The student's answer (again: replaced) and their ratings of teammates (pk -> score)."""
    answer, _created = SurveyAnswer.objects.update_or_create(
        student=student,
        defaults={"call_id": student.call_id, "team_id": student.team_id, **data},
    )
    PeerRating.objects.filter(rater=student).delete()
    PeerRating.objects.bulk_create(
        [PeerRating(rater=student, peer_id=peer, score=score) for peer, score in peers.items()]
    )
    return answer


def results(call):
    """What coordinators read: progress, means per team, what students learnt, and the peer
    ratings as aggregates only (hidden below two raters). A fixed number of queries."""
    survey_round = SurveyRound.objects.filter(call=call).first()
    students = list(surveyed_students(call).select_related("team__commission"))
    answers = list(
        SurveyAnswer.objects.filter(call=call).values(
            "team_id", "commission_rating", "supervisor_rating", "team_rating", "satisfaction"
        )
    )
    per_team = {
        row["team_id"]: row
        for row in SurveyAnswer.objects.filter(call=call)
        .values("team_id")
        .annotate(
            answers=Count("pk"),
            commission=Avg("commission_rating"),
            supervisor=Avg("supervisor_rating"),
            team=Avg("team_rating"),
            satisfaction=Avg("satisfaction"),
        )
        .order_by()
    }
    learnt = list(
        SurveyAnswer.objects.filter(call=call)
        .order_by("answered_at")
        .values_list("learnt", flat=True)
    )
    summary = peer_summary(
        PeerRating.objects.filter(rater__call=call).values_list("rater_id", "peer_id", "score")
    )
    teams = {}
    for s in students:
        teams.setdefault(s.team, []).append((s, summary.get(s.pk, (0, None))))
    return {
        "round": survey_round,
        "surveyed": len(students),
        "answered": len(answers),
        "teams": [
            {"team": team, "means": per_team.get(team.pk), "members": members}
            for team, members in sorted(teams.items(), key=lambda e: e[0].commission.reference)
        ],
        "learnt": learnt,
        "oral": list(
            OralFeedback.objects.filter(team__call=call)
            .select_related("team__commission")
            .order_by("team__commission__reference")
        ),
    }
