from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem


@hooks.register("register_admin_menu_item")
def register_data_admin_link():
    # Calls, commissions and institutions are managed in the data admin.
    return MenuItem(
        _("Calls and commissions"),
        reverse("admin:index"),
        icon_name="folder-open-inverse",
        order=150,
    )
