"""Accounts for the year's students and supervisors, and their invitations."""

from django.contrib.auth import get_user_model
from django.utils import timezone

from commissions.outbox.mail import fresh_key, queue_email


def account_for(email, first_name="", last_name=""):
    """The user with this e-mail (case-insensitive), created without a password if new.

    Returns (user, created). An existing account is returned as it is: an import never
    renames someone (it once renamed the superuser and another programme's coordinator).
    """
    User = get_user_model()
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).order_by("pk").first()
    if user is None:
        user = User(username=email[:150], email=email, first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        user.save()
        return user, True
    return user, False


def invite(person, again=False):
    """Queue the invitation (a set-password link) for a Student or a Supervisor.

    The first invitation is keyed once, so importing the roster twice sends nothing new;
    again=True sends a fresh one (the coordinator's "send again").
    """
    role = person._meta.model_name
    key = f"invitation:{role}:{person.pk}"
    email, created = queue_email(
        fresh_key(key) if again else key,
        f"invitation_{role}",
        person.user.email,
        person.reader_language,
        call=person.call,
        params={"person": person.pk},
    )
    if created:
        person.invited_at = timezone.now()
        person.save(update_fields=["invited_at"])
    return email, created
