"""The network picture: a server-rendered SVG, filterable by sector, year and event."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from network.picture import drawing, graph


class PictureForm(forms.Form):
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    event = forms.ChoiceField(label=_("Event"), required=False)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        sectors, years, events = choices
        self.fields["sector"].choices = [("", _("every sector"))] + [(s, s) for s in sectors]
        self.fields["year"].choices = [("", _("every year"))] + [(y, y) for y in years]
        self.fields["event"].choices = [("", _("every event"))] + [
            (key, f"{name} ({year})" if year else name) for key, name, year in events
        ]


@require_GET
def picture(request):
    form = PictureForm(request.GET or None, choices=drawing.filter_choices())
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    nodes, lines = drawing.network(
        sector=filters.get("sector", ""),
        year=filters.get("year"),
        event=filters.get("event", ""),
    )
    organisations = [n for n in nodes if n.kind == "organisation"]
    hubs = [n for n in nodes if n.kind != "organisation"]
    members = {hub.id: [] for hub in hubs}
    for hub, org in lines:
        members[hub.id].append(org.label)
    return render(
        request,
        "network/picture/picture.html",
        {
            "form": form,
            "nodes": nodes,
            "lines": lines,
            "organisations": organisations,
            "hubs": [(hub, sorted(members[hub.id])) for hub in hubs],
            "legend": graph.legend(nodes),
            "width": graph.WIDTH,
            "height": graph.HEIGHT,
            "invalid": form.is_bound and not form.is_valid(),
        },
    )
