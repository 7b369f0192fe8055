"""Events of the sector (Alices Dag, Assises sociales…) and the organisations that took part."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from commissions.models import Institution


class EventQuerySet(models.QuerySet):
    def with_participants(self):
        return self.select_related("organiser").prefetch_related("participations__institution")


class Event(models.Model):
    key = models.SlugField(_("key"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=255)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=255, blank=True)
    organiser = models.ForeignKey(
        Institution,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organised_events",
        verbose_name=_("organiser"),
    )
    participants = models.ManyToManyField(
        Institution,
        through="Participation",
        related_name="events",
        verbose_name=_("participants"),
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-year", "name"]

    def __str__(self):
        return f"{self.name} ({self.year})" if self.year else self.name

    def save(self, *args, **kwargs):
        if self.date and not self.year:
            self.year = self.date.year
        super().save(*args, **kwargs)


class Participation(models.Model):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="participations", verbose_name=_("event")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("organisation"),
    )

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["event", "institution"], name="one_participation")
        ]

    def __str__(self):
        return f"{self.institution} @ {self.event}"
