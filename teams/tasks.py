"""django-q2 tasks of the teams app; each is idempotent."""

from teams.follow.reminders import send_reminders
from teams.people import passwords


def send_milestone_reminders():
    """The daily run (a django-q2 schedule): safe to run twice, or after a crash."""
    return send_reminders()


def send_password_reset(address, language):
    """'Forgot your password?', off the request: one e-mail per account of the address."""
    return passwords.send_password_reset(address, language)
