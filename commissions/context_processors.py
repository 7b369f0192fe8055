"""What the header needs on every page: how many commissions the signed-in person has to review.

The count is cached per person (no query on most pages) and forgotten whenever one of their
assignments changes (commissions.review.notify), so the menu entry follows at once.
"""

from django.utils.functional import SimpleLazyObject

from commissions.review.notify import menu_counts


def reviews(request):
    """`reviews_menu`: empty for someone with no assignment, else {"pending": n}."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"reviews_menu": None}

    def menu():
        total, pending = menu_counts(user)
        return {"pending": pending} if total else {}

    return {"reviews_menu": SimpleLazyObject(menu)}
