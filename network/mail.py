"""The network app's e-mails, registered with the outbox."""

from django.utils.translation import gettext_lazy as _

from commissions.models import Institution
from commissions.outbox.mail import absolute, register


@register("network_invitation", _("Invitation to answer the call (outreach)"))
def _invitation(email, issue_link=True):
    institution = Institution.objects.get(pk=email.params["institution"])
    call = email.call
    return {
        "institution": institution,
        "call": call,
        "link": absolute(call.get_submit_url()),
    }, []
