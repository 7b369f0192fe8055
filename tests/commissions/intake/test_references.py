"""References keep counting past 999: "…-1000" follows "…-999", and so on at any size."""

import pytest
from factories import make_commission

from commissions.models import Commission, Institution


def _bulk(call, vocab, count):
    """`count` commissions numbered 1…count, written in one go (the form would take minutes)."""
    institution = Institution.objects.create(
        name="Asbl", legal_form="asbl", sector=vocab["sectors"][0], address="Rue 1", city="Namur"
    )
    Commission.objects.bulk_create(
        Commission(
            call=call,
            reference=f"MIAS-2030-{n:03d}",
            institution=institution,
            contact_name="Anne",
            contact_role="Directrice",
            contact_email=f"c{n}@inst.example",
            contact_phone="0",
            title=f"Question {n}",
            question="Q ?",
            context="C",
            expected_outcome="E",
            sector=vocab["sectors"][0],
            commission_type=vocab["types"][0],
            intervention_context=vocab["contexts"][0],
        )
        for n in range(1, count + 1)
    )


@pytest.mark.parametrize("existing", [999, 1000, 10_000])
def test_the_next_submission_takes_the_next_number(call, vocab, existing):
    _bulk(call, vocab, existing)
    made = make_commission(call, vocab)
    assert made.reference == f"MIAS-2030-{existing + 1:03d}"
    again = make_commission(call, vocab, institution_name="Autre")
    assert again.reference == f"MIAS-2030-{existing + 2:03d}"
