"""End-of-year surveys: the students' answers, their peer ratings, the institution's word on
the oral presentation, and when a call's survey and its one reminder went out."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commissions.models import Call
from teams.models import Student, Team

RATING = [MinValueValidator(1), MaxValueValidator(5)]


class SurveyRound(models.Model):
    """A call's end-of-year survey: sent once, reminded once."""

    call = models.OneToOneField(
        Call, on_delete=models.CASCADE, related_name="survey_round", verbose_name=_("call")
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")

    def __str__(self):
        return str(self.call)


class SurveyAnswer(models.Model):
    """One student's answer to the end-of-year survey (one per student and call)."""

    student = models.OneToOneField(
        Student, on_delete=models.CASCADE, related_name="survey_answer", verbose_name=_("student")
    )
    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="survey_answers", verbose_name=_("call")
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_answers",
        verbose_name=_("team"),
    )
    commission_rating = models.PositiveSmallIntegerField(_("the commission"), validators=RATING)
    supervisor_rating = models.PositiveSmallIntegerField(_("the supervision"), validators=RATING)
    team_rating = models.PositiveSmallIntegerField(_("the team's work"), validators=RATING)
    satisfaction = models.PositiveSmallIntegerField(_("the lab as a whole"), validators=RATING)
    learnt = models.TextField(_("what you learnt"))
    comments = models.TextField(_("comments"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")

    def __str__(self):
        return f"{self.call} · {self.satisfaction}/5"


class PeerRating(models.Model):
    """How a student rates a teammate's contribution; coordinators see only aggregates."""

    rater = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="+", verbose_name=_("rater")
    )
    peer = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="peer_ratings", verbose_name=_("teammate")
    )
    score = models.PositiveSmallIntegerField(_("contribution"), validators=RATING)

    class Meta:
        verbose_name = _("peer rating")
        verbose_name_plural = _("peer ratings")
        constraints = [models.UniqueConstraint(fields=["rater", "peer"], name="one_peer_rating")]

    def __str__(self):
        return f"{self.peer_id} · {self.score}/5"


class OralFeedback(models.Model):
    """The institution's last word: how useful the oral presentation was."""

    team = models.OneToOneField(
        Team, on_delete=models.CASCADE, related_name="oral_feedback", verbose_name=_("team")
    )
    usefulness = models.PositiveSmallIntegerField(
        _("usefulness of the oral presentation"), validators=RATING
    )
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        verbose_name = _("feedback on the oral presentation")
        verbose_name_plural = _("feedback on the oral presentations")

    def __str__(self):
        return f"{self.team} · {self.usefulness}/5"
