"""The Coordinators group and its rights, kept in step after every migrate.

Each app declares what coordinators may do with its models (`coordinator_permissions` on
its AppConfig); this module grants the union."""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db.models import Q

COORDINATORS = "Coordinators"

REVIEWERS = "Reviewers"
PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page"]
# The keys of an AppConfig's `coordinator_permissions`, and what each grants.
GRANTS = {
    "manage": ("add", "change", "delete", "view"),
    "change": ("change", "view"),
    "view": ("view",),
}


def coordinator_codenames(app_config):
    """The permissions an app declares for coordinators, by model name."""
    declared = getattr(app_config, "coordinator_permissions", {})
    return [
        f"{action}_{model}"
        for key, actions in GRANTS.items()
        for model in declared.get(key, ())
        for action in actions
    ]


def ensure_coordinator_group(**kwargs):
    group, _created = Group.objects.get_or_create(name=COORDINATORS)
    condition = Q(content_type__app_label="wagtailadmin", codename="access_admin")
    for app_config in apps.get_app_configs():
        codenames = coordinator_codenames(app_config)
        if codenames:
            condition |= Q(content_type__app_label=app_config.label, codename__in=codenames)
    group.permissions.add(*Permission.objects.filter(condition))
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


def make_reviewer(user, programme):
    """A reviewer of this programme: offered when its coordinators assign submissions."""
    user.groups.add(Group.objects.get_or_create(name=REVIEWERS)[0])
    programme.reviewers.add(user)


def make_coordinator(user, programme=None):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(ensure_coordinator_group())
    if programme is not None:
        programme.coordinators.add(user)
