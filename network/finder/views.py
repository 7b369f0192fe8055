"""The partner finder's pages: the public search, and the panel of similar work on forms."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from commissions import rules
from commissions.models import Commission, PastConsultancy, Sector
from commissions.similarity import similar_to
from network.finder import searching

LANGUAGES = [("", _("any")), ("fr", _("French")), ("de", _("German")), ("en", _("English")),
             ("lb", _("Luxembourgish")), ("pt", _("Portuguese"))]  # fmt: skip
COUNTRIES = [("", _("any")), ("LU", _("Luxembourg")), ("BE", _("Belgium")), ("FR", _("France")),
             ("DE", _("Germany"))]  # fmt: skip


class FinderForm(forms.Form):
    q = forms.CharField(
        label=_("Your need, in your own words"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("In French, German, English or Luxembourgish."),
    )
    country = forms.ChoiceField(label=_("Country"), choices=COUNTRIES, required=False)
    town = forms.CharField(label=_("Town"), max_length=120, required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    people = forms.CharField(label=_("People served"), max_length=120, required=False)
    language = forms.ChoiceField(label=_("Working language"), choices=LANGUAGES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = Sector.objects.filter(organisations__isnull=False).distinct().order_by("name")
        self.fields["sector"].choices = [("", _("any"))] + [
            (name, name) for name in names.values_list("name", flat=True)
        ]


@require_GET
def finder(request):
    form = FinderForm(request.GET or None)
    results, searched = [], False
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        data = form.cleaned_data
        searched = True
        results = searching.find(
            data["q"],
            limit=10,
            coordinator=rules.coordinates_any(request.user),
            country=data["country"],
            town=data["town"],
            sector=data["sector"],
            people=data["people"],
            language=data["language"],
        )
    return render(
        request,
        "network/finder/finder.html",
        {
            "form": form,
            "results": results,
            "searched": searched,
            "coordinator": rules.coordinates_any(request.user),
        },
    )


@require_GET
def similar(request):
    """Past commissions and organisations close to a problem being typed (an htmx panel).

    Public information only (the summaries of past consultancies shown on the call page,
    the finder's public view of organisations); coordinators also get the commissions
    selected in earlier calls.
    """
    text = " ".join(request.GET.get(name, "") for name in ("title", "question", "q"))[:1000]
    past, organisations = [], []
    only_organisations = request.GET.get("only") == "organisations"
    if len(text.split()) >= 3 and not only_organisations:
        rows = [(f"p{p.pk}", p.summary, p.academic_year) for p in PastConsultancy.objects.all()]
        if rules.coordinates_any(request.user):
            rows += [
                (f"c{pk}", f"{title} — {name}", year)
                for pk, title, name, year in Commission.objects.filter(
                    status=Commission.Status.SELECTED
                )
                .order_by("-call__opens_at")
                .values_list("pk", "title", "institution__name", "call__academic_year")[:2000]
            ]
        by_key = {key: (summary, year) for key, summary, year in rows}
        past = [
            {"summary": by_key[key][0], "year": by_key[key][1], "score": round(score)}
            for key, score in similar_to(text, [(k, s) for k, s, _y in rows], limit=3)
        ]
    if len(text.split()) >= 3:
        organisations = searching.find(text, limit=3)
    return render(
        request,
        "network/finder/_similar.html",
        {"past": past, "organisations": organisations, "asked": len(text.split()) >= 3},
    )
