"""Sign in with the e-mail address, whatever its case: students know no username."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or "@" not in username or password is None:
            return None
        users = get_user_model().objects.filter(email__iexact=username.strip()).order_by("pk")
        for user in users[:2]:
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None
