"""The outreach list of a call and its invitations (through the outbox, once each)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from commissions.models import Commission, CommissionType, Institution
from commissions.outbox.mail import queue_email
from network.models import Invitation
from network.outreach import planning

YEARS = 3


def outreach(call, years=YEARS):
    """Sectors and kinds of problem the last calls of the programme lacked, with whom to invite."""
    start = int(call.academic_year[:4])
    recent = Commission.objects.active().filter(
        call__programme=call.programme_id,
        call__academic_year__gte=f"{start - years}",
        call__academic_year__lt=f"{start + 1}",
    )
    sectors_of = {}
    for pk, name in Institution.sectors.through.objects.values_list(
        "institution_id", "sector__name"
    ):
        sectors_of.setdefault(pk, []).append(name)
    gaps = planning.sector_gaps(
        list(recent.values_list("sector__name", flat=True)), sectors_of
    )[:8]
    led = set(recent.values_list("institution_id", flat=True))
    wanted = {pk for gap in gaps for pk in gap.candidates} - led
    institutions = Institution.objects.in_bulk(wanted)
    invited = dict(
        Invitation.objects.filter(call=call, institution_id__in=wanted).values_list(
            "institution_id", "sent_at"
        )
    )
    for gap in gaps:
        gap.candidates = [
            {"institution": institutions[pk], "invited": invited.get(pk)}
            for pk in gap.candidates
            if pk in institutions
        ][:12]
    kinds = planning.rare_kinds(
        list(recent.values_list("commission_type__name", flat=True)),
        list(CommissionType.objects.values_list("name", flat=True)),
    )
    return gaps, kinds


def invite(call, institution, user, language="fr"):
    """Queue the call's invitation to this organisation once; returns (invitation, created)."""
    if not institution.email:
        return None, False
    with transaction.atomic():
        email, _new = queue_email(
            key=f"network-invitation:{call.pk}:{institution.pk}",
            kind="network_invitation",
            to=institution.email,
            language=language,
            call=call,
            params={"institution": institution.pk},
        )
        try:
            with transaction.atomic():
                return Invitation.objects.create(
                    call=call, institution=institution, email=email, sent_by=user
                ), True
        except IntegrityError:
            return Invitation.objects.get(call=call, institution=institution), False
