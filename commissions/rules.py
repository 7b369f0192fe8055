"""Who may do what with a call or a commission: every object-level check lives here."""


def coordinated_programme_ids(user):
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_coordinated_programme_ids", None)
    if cached is None:
        cached = frozenset(user.coordinated_programmes.values_list("pk", flat=True))
        user._coordinated_programme_ids = cached
    return cached


def is_coordinator(user, call):
    return user.is_authenticated and (
        user.is_superuser or call.programme_id in coordinated_programme_ids(user)
    )


def is_programme_coordinator(user, programme):
    return user.is_authenticated and (
        user.is_superuser or programme.pk in coordinated_programme_ids(user)
    )


def can_open_workspace(user, call):
    """Coordinators, and reviewers with at least one commission of the call to score."""
    if is_coordinator(user, call):
        return True
    return user.is_authenticated and user.review_assignments.filter(commission__call=call).exists()


def can_review(user, commission, assignment=None):
    return is_coordinator(user, commission.call) or assignment is not None


def can_see_others_scores(user, commission, assignment=None):
    """Coordinators always; a reviewer once their own scores are in."""
    if is_coordinator(user, commission.call):
        return True
    return assignment is not None and assignment.submitted_at is not None


def coordinates_any(user):
    """A coordinator of at least one programme (the site-wide registry is theirs to keep)."""
    return user.is_authenticated and (user.is_superuser or bool(coordinated_programme_ids(user)))
