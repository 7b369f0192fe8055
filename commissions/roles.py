"""The Coordinators group and its rights, kept in step after every migrate.

Each app declares what coordinators may do with its models (`coordinator_permissions` on
its AppConfig); this module grants the union."""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db.models import Q

COORDINATORS = "Coordinators"

REVIEWERS = "Reviewers"
# Wagtail: every coordinator may create pages (and edit the ones they own); changing and
# publishing a call page is for its programme's coordinators only, through the programme's
# group (cms grants it on each call page). A coordinator of A cannot edit, unpublish or
# delete B's page.
ROOT_PAGE_PERMISSIONS = ["add_page"]
PROGRAMME_PAGE_PERMISSIONS = ["change_page", "publish_page"]
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
        content_type__app_label="wagtailcore", codename__in=ROOT_PAGE_PERMISSIONS
    ):
        GroupPagePermission.objects.get_or_create(group=group, page=root, permission=perm)
    # Before the programme walls the group changed and published every page: withdrawn.
    GroupPagePermission.objects.filter(
        group=group, permission__codename__in=PROGRAMME_PAGE_PERMISSIONS
    ).delete()


def programme_group_name(programme):
    return f"{COORDINATORS} — {programme.pk}"


def programme_group(programme):
    """The group of one programme's coordinators (its Wagtail pages' permissions)."""
    group, _created = Group.objects.get_or_create(name=programme_group_name(programme))
    return group


def sync_programme_group(programme):
    """The programme's group holds exactly its coordinators."""
    programme_group(programme).user_set.set(programme.coordinators.all())


def coordinators_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Programme.coordinators changed (admin, make_coordinator…): the groups follow."""
    if not action.startswith("post_"):
        return
    from commissions.models import Programme

    if not reverse:
        sync_programme_group(instance)
        return
    programmes = (
        Programme.objects.all() if pk_set is None else Programme.objects.filter(pk__in=pk_set)
    )
    for programme in programmes:
        sync_programme_group(programme)


def grant_programme_pages(programme, pages):
    """The programme's coordinators may change and publish these pages (and their subpages);
    no other programme's group keeps a right on them."""
    from wagtail.models import GroupPagePermission

    group = programme_group(programme)
    perms = list(
        Permission.objects.filter(
            content_type__app_label="wagtailcore", codename__in=PROGRAMME_PAGE_PERMISSIONS
        )
    )
    for page in pages:
        GroupPagePermission.objects.filter(
            page=page, group__name__startswith=f"{COORDINATORS} — "
        ).exclude(group=group).delete()
        for perm in perms:
            GroupPagePermission.objects.get_or_create(group=group, page=page, permission=perm)


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
