"""The surveys' e-mails, registered with the outbox."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from commissions.outbox.mail import absolute, register
from teams.models import Student


def _survey(email, issue_link=True):
    student = Student.objects.select_related("user", "call__programme").get(
        pk=email.params["person"]
    )
    link = absolute(reverse("insights:survey", args=[student.call.slug]))
    return {"person": student, "call": student.call, "link": link}, []


register("survey", _("End-of-year survey (student)"))(_survey)
register("survey_reminder", _("Reminder of the end-of-year survey"))(_survey)
