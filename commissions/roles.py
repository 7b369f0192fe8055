"""The Coordinators group and its rights, kept in step after every migrate."""

from django.contrib.auth.models import Group, Permission

COORDINATORS = "Coordinators"

# Coordinators manage everything of the call; the rest of the data is read-only for them.
MANAGED_MODELS = [
    "programme",
    "call",
    "keydate",
    "criterion",
    "sector",
    "interventioncontext",
    "commissiontype",
    "pastconsultancy",
    "institution",
    "commission",
    "reviewassignment",
    "note",
    "messagetemplate",
]
READ_ONLY_MODELS = ["commissionevent", "accesstoken", "email", "review", "selectionrun"]
TEAMS_MANAGED = ["student", "supervisor", "team", "preference"]
TEAMS_READ_ONLY = ["allocationrun", "rosterimport", "teamevent"]
REVIEWERS = "Reviewers"
PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page"]


def ensure_coordinator_group(**kwargs):
    group, _created = Group.objects.get_or_create(name=COORDINATORS)
    codenames = [
        f"{action}_{model}"
        for model in MANAGED_MODELS
        for action in ("add", "change", "delete", "view")
    ]
    codenames += [f"view_{model}" for model in READ_ONLY_MODELS]
    perms = list(
        Permission.objects.filter(content_type__app_label="commissions", codename__in=codenames)
    )
    team_codenames = [
        f"{action}_{model}"
        for model in TEAMS_MANAGED
        for action in ("add", "change", "delete", "view")
    ] + [f"view_{model}" for model in TEAMS_READ_ONLY]
    perms += list(
        Permission.objects.filter(content_type__app_label="teams", codename__in=team_codenames)
    )
    perms += list(
        Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    group.permissions.add(*perms)
    _grant_page_permissions(group)
    Group.objects.get_or_create(name=REVIEWERS)
    return group


def _grant_page_permissions(group):
    from wagtail.models import GroupPagePermission, Page

    root = Page.get_first_root_node()
    if root is None:
        return
    for perm in Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=PAGE_PERMISSIONS
    ):
        GroupPagePermission.objects.get_or_create(group=group, page=root, permission=perm)


def make_coordinator(user, programme=None):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(ensure_coordinator_group())
    if programme is not None:
        programme.coordinators.add(user)
