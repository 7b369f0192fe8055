"""The seed call's texts in English and German beside the French (demo_translations.json)."""

import json

from django.conf import settings

from commissions.models import CommissionType, Criterion, InterventionContext, KeyDate, Sector

TRANSLATIONS_FILE = settings.BASE_DIR / "fixtures" / "demo_translations.json"


def apply_translations(path=TRANSLATIONS_FILE):
    """Set the translations of the demo's vocabularies, key dates and criteria (idempotent)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    vocabularies = [
        (Sector, "sectors"),
        (CommissionType, "commission_types"),
        (InterventionContext, "intervention_contexts"),
    ]
    for model, key in vocabularies:
        for item in model.objects.filter(name__in=data[key]):
            item.translations = {
                code: {"name": text} for code, text in data[key][item.name].items()
            }
            item.save(update_fields=["translations"])
    for model, key in [(KeyDate, "key_dates"), (Criterion, "criteria")]:
        for item in model.objects.filter(label__in=data[key]):
            item.translations = data[key][item.label]
            item.save(update_fields=["translations"])


def translate_pages(home, call_pages, path=TRANSLATIONS_FILE):
    """The home page and the call pages in English and German (Wagtail translations)."""
    from cms.translation import translate_page

    pages = json.loads(path.read_text(encoding="utf-8"))["pages"]
    for language, texts in pages.items():
        translate_page(home, language, title=texts["home_title"], intro=texts["home_intro"])
        for page in call_pages:
            translate_page(
                page,
                language,
                title=texts["call_title"].format(year=page.call.academic_year),
                intro=texts["intro"],
                body=texts["body"],
                closing=texts["closing"],
            )
