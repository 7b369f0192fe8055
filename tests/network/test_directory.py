"""The directory import: row errors, nothing written on error, idempotent on the keys."""

import json
from io import BytesIO, StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation
from factories import make_commission
from openpyxl import load_workbook

from commissions.models import Institution
from network.directory import importing
from network.models import Event, Participation

pytestmark = pytest.mark.django_db
DIRECTORY = settings.BASE_DIR / "fixtures" / "network" / "organisations.json"


def org(**extra):
    row = {
        "key": "maison-relais",
        "name": "Maison relais Bonnevoie",
        "city": "Luxembourg",
        "country": "LU",
        "legal_form": "asbl",
        "languages": ["fr", "lb"],
        "sectors": ["jeunesse"],
        "publics": ["enfants"],
        "description": {"fr": "Accueil extrascolaire des enfants du quartier."},
    }
    return {**row, **extra}


def as_json(organisations, events=()):
    return json.dumps({"organisations": organisations, "events": list(events)}).encode()


def test_the_demo_directory_loads_with_its_keys_sectors_and_events(directory):
    assert directory == {"created": 33, "updated": 0, "unchanged": 0, "events": 4}
    caritas = Institution.objects.get(key="caritas-lu")
    assert caritas.country == "LU"
    assert "Caritas lutte contre la pauvreté" in caritas.descriptions["fr"]
    assert "Lutte contre la pauvreté" in {s.name for s in caritas.sectors.all()}
    assert caritas.people_served[0] == "personnes en situation de précarité"
    assises = Event.objects.get(key="assises-2025")
    assert assises.year == 2025 and assises.organiser.key == "ville-lux-social"
    assert assises.participants.count() == 22  # 21 participants and the organiser


def test_importing_the_same_file_again_changes_nothing(directory):
    stamps = dict(Institution.objects.values_list("key", "updated_at"))
    again = importing.apply(importing.read(DIRECTORY.read_bytes(), "organisations.json"))
    assert again == {"created": 0, "updated": 0, "unchanged": 33, "events": 4}
    assert dict(Institution.objects.values_list("key", "updated_at")) == stamps
    assert Participation.objects.count() == 43  # 41 participations and two organisers not listed


def test_a_changed_row_updates_its_organisation_only(directory):
    data = json.loads(DIRECTORY.read_text(encoding="utf-8"))
    data["organisations"][0]["city"] = "Esch-sur-Alzette"
    data["events"][0]["participants"].remove("caritas-lu")
    report = importing.apply(importing.read(json.dumps(data).encode(), "d.json"))
    assert report["updated"] == 1 and report["unchanged"] == 32
    assert Institution.objects.get(key=data["organisations"][0]["key"]).city == "Esch-sur-Alzette"
    assert not Participation.objects.filter(
        event__key="assises-2022", institution__key="caritas-lu"
    ).exists()


def test_every_bad_row_is_named_and_nothing_is_written(db, tmp_path):
    rows = [
        org(),
        org(key="Bad Key!", name=""),
        org(key="be-bad", enterprise_number="0403.170.702"),
        org(key="lu-bad", rcs_number="123"),
        org(key="no-sector", sectors=[], email="not-an-address"),
        org(),  # the same key twice
    ]
    events = [{"key": "fete", "name": "Fête", "participants": ["maison-relais", "nobody"]}]
    with translation.override("en"):
        parsed = importing.read(as_json(rows, events), "d.json")
    where = [w for w, _m in parsed.errors]
    assert where == [
        "organisation 2",
        "organisation 2",
        "organisation 3",
        "organisation 4",
        "organisation 5",
        "organisation 5",
        "organisation 6",
        "event 1",
    ]
    messages = " | ".join(m for _w, m in parsed.errors)
    assert "check" in messages and "RCS" in messages and "nobody" in messages
    with pytest.raises(ValueError):
        importing.apply(parsed)
    with pytest.raises(CommandError, match="nothing imported"):
        path = tmp_path / "bad.json"
        path.write_bytes(as_json(rows, events))
        call_command("import_network", str(path))
    assert not Institution.objects.exists()


def test_identifiers_are_checked_and_normalised(db):
    parsed = importing.read(
        as_json([org(enterprise_number="BE 0403.170.701", rcs_number="f 1234")]), "d.json"
    )
    assert parsed.errors == []
    importing.apply(parsed)
    institution = Institution.objects.get(key="maison-relais")
    assert (institution.enterprise_number, institution.rcs_number) == ("0403170701", "F1234")
    institution.full_clean()


def test_an_institution_known_from_its_commissions_gets_its_key(call, vocab):
    commission = make_commission(call, vocab)
    known = commission.institution
    row = org(name=known.name, city=known.city)
    importing.apply(importing.read(as_json([row]), "d.json"))
    known.refresh_from_db()
    assert known.key == "maison-relais" and Institution.objects.count() == 1


def test_the_excel_template_has_the_same_columns_and_imports_the_same(db):
    parsed = importing.read(DIRECTORY.read_bytes(), "organisations.json")
    content = importing.workbook_template(parsed)
    workbook = load_workbook(BytesIO(content))
    assert [c.value for c in workbook["organisations"][1]][:3] == ["key", "name", "city"]
    again = importing.read(content, "directory.xlsx")
    assert again.errors == []
    assert again.organisations == parsed.organisations
    assert [e["participants"] for e in again.events] == [e["participants"] for e in parsed.events]


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"{not json", "d.json", "not a JSON file"),
        (b"[]", "d.json", "no list"),
        (b"PK\x03\x04 broken", "d.xlsx", "not an Excel workbook"),
        (b"x", "d.csv", ".json or .xlsx"),
    ],
)
def test_files_that_are_not_a_directory_get_a_message(db, content, name, message):
    parsed = importing.read(content, name)
    assert message in parsed.errors[0][1]


def test_the_command_imports_the_directory_file(db):
    out = StringIO()
    call_command("import_network", stdout=out)
    assert "33 created" in out.getvalue()


def test_merging_a_duplicate_keeps_its_events_and_sectors(directory):
    caritas = Institution.objects.get(key="caritas-lu")
    duplicate = Institution.objects.get(key="microlux")  # pretend: the same body twice
    events_before = set(caritas.events.values_list("key", flat=True)) | set(
        duplicate.events.values_list("key", flat=True)
    )
    caritas.merge([duplicate])
    assert set(caritas.events.values_list("key", flat=True)) == events_before
    assert "Microfinance" in {s.name for s in caritas.sectors.all()}
    assert not Institution.objects.filter(key="microlux").exists()


def test_identifiers_typed_by_hand_are_checked_and_stored_normalised(directory):
    from django.core.exceptions import ValidationError

    fal = Institution.objects.get(key="fal")
    fal.enterprise_number, fal.rcs_number = "BE 0403.170.701", "f 1234"
    fal.full_clean()
    assert (fal.enterprise_number, fal.rcs_number) == ("0403170701", "F1234")
    fal.enterprise_number = "0403.170.702"
    with pytest.raises(ValidationError) as error:
        fal.full_clean()
    assert "enterprise_number" in error.value.message_dict
