from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout, Submit
from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from commissions.models import Commission, Institution, KeyDate
from commissions.similarity import institution_matches
from mias.ids import IdChoiceField, IdMultipleChoiceField

NEW_INSTITUTION = "new"


class PresentationChoiceField(IdChoiceField):
    def label_from_instance(self, obj):
        return obj.when()


class CommissionForm(forms.ModelForm):
    """The part of a commission its institution may edit until the deadline."""

    languages = forms.MultipleChoiceField(
        label=_("Languages the students will need"),
        choices=Commission.Language.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=["fr"],
        error_messages={"required": _("Choose at least one language.")},
    )
    preferred_presentation = PresentationChoiceField(
        label=_("Preferred date for the oral presentation at your institution"),
        queryset=KeyDate.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose a date for the oral presentation.")},
    )

    class Meta:
        model = Commission
        fields = [
            "contact_name",
            "contact_role",
            "contact_email",
            "contact_phone",
            "title",
            "question",
            "context",
            "commission_type",
            "intervention_context",
            "expected_outcome",
            "resources",
            "languages",
            "preferred_presentation",
        ]
        field_classes = {"commission_type": IdChoiceField, "intervention_context": IdChoiceField}
        widgets = {
            "question": forms.Textarea(attrs={"rows": 4}),
            "context": forms.Textarea(attrs={"rows": 5}),
            "expected_outcome": forms.Textarea(attrs={"rows": 3}),
            "resources": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "title": _("A short name for your question, e.g. “Absenteeism of learners”."),
            "question": _("The question you would like the students to work on."),
            "context": _("Your institution, its public, what led to the question."),
            "expected_outcome": _("What you hope to receive: an analysis, recommendations…"),
            "resources": _(
                "Data, documents, people to interview, a place to work: what you can offer."
            ),
        }
        error_messages = {
            "contact_name": {"required": _("Give the name of the contact person.")},
            "contact_role": {"required": _("Give the contact person's role.")},
            "contact_email": {
                "required": _("Give an e-mail address: your private link is sent there."),
                "invalid": _("Enter a valid e-mail address, e.g. name@example.org."),
            },
            "contact_phone": {"required": _("Give a phone number for a short call.")},
            "title": {"required": _("Give your commission a title.")},
            "question": {"required": _("Describe the consultancy question.")},
            "context": {"required": _("Describe the context of the question.")},
            "commission_type": {"required": _("Choose the type of commission.")},
            "intervention_context": {"required": _("Choose the intervention context.")},
            "expected_outcome": {"required": _("Say what you expect from the students.")},
        }

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        if call.presentation_options():
            self.fields["preferred_presentation"].queryset = call.key_dates.filter(
                kind=KeyDate.Kind.ORAL
            )
        else:
            del self.fields["preferred_presentation"]
        self.fields["commission_type"].empty_label = _("— choose —")
        self.fields["intervention_context"].empty_label = _("— choose —")
        self.fields["contact_phone"].widget.input_type = "tel"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*self.layout_parts())

    def contact_fieldset(self):
        return Fieldset(
            _("Contact person"), "contact_name", "contact_role", "contact_email", "contact_phone"
        )

    def commission_fieldset(self):
        fields = [
            "title",
            "question",
            "context",
            "commission_type",
            "intervention_context",
            "expected_outcome",
            "resources",
            "languages",
        ]
        if "preferred_presentation" in self.fields:
            fields.append("preferred_presentation")
        return Fieldset(_("Your commission"), *fields)

    def layout_parts(self):
        return [self.contact_fieldset(), self.commission_fieldset()]


class EditForm(CommissionForm):
    """Editing through the private link; `version` tells a stale tab from a fresh one."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version()

    def layout_parts(self):
        return [*super().layout_parts(), "version"]

    def is_stale(self, current):
        """True (and a message on the form) when someone saved since this form was opened."""
        if "version" not in self.data or self.cleaned_data.get("version") == current:
            return False  # without the page's field (a script) there is nothing to compare
        self.add_error(
            None,
            _(
                "This commission was changed elsewhere (another tab or person) since you "
                "opened this page. Your text is kept below: check it against the current "
                "version and save again."
            ),
        )
        # The next save of this page is a deliberate overwrite.
        self.data = self.data.copy()
        self.data["version"] = current
        return True


class SubmissionForm(CommissionForm):
    """The public form: institution, contact, commission, commitments, consent."""

    institution_name = forms.CharField(
        label=_("Name of the institution"),
        max_length=200,
        error_messages={"required": _("Give the name of your institution.")},
    )
    legal_form = forms.ChoiceField(
        label=_("Legal form"),
        choices=[("", _("— choose —"))] + Institution.LegalForm.choices,
        error_messages={"required": _("Choose the legal form.")},
    )
    sector = IdChoiceField(
        label=_("Sector"),
        queryset=None,
        empty_label=_("— choose —"),
        error_messages={"required": _("Choose your sector.")},
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=255,
        error_messages={"required": _("Give the address of the institution.")},
    )
    postal_code = forms.CharField(label=_("Postal code"), max_length=12, required=False)
    city = forms.CharField(
        label=_("City"), max_length=120, error_messages={"required": _("Give the city.")}
    )
    website = forms.URLField(
        label=_("Website"),
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("Enter a valid web address, e.g. https://example.org.")},
    )
    institution_match = forms.ChoiceField(
        label=_("Is it one of these institutions?"),
        required=False,
        widget=forms.RadioSelect,
    )
    consent = forms.BooleanField(
        error_messages={"required": _("We need your consent to process this submission.")},
    )
    # Honeypot: hidden from people, filled in by bots.
    nickname = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        # Out of reach of the keyboard and of autofill, so only bots fill it.
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, call, **kwargs):
        from commissions.models import Sector

        super().__init__(*args, call=call, **kwargs)
        self.fields["sector"].queryset = Sector.objects.all()
        self.commitments = call.commitments()
        for commitment in self.commitments:
            self.fields[commitment.field_name] = forms.BooleanField(
                label=commitment.label,
                error_messages={"required": _("This commitment is required to take part.")},
            )
        retention = call.retention_until()
        self.consent_text = _(
            "I agree that the MIAS processes the data of this form to select and follow the "
            "commissions of the call %(call)s; it is kept until %(date)s and then erased."
        ) % {"call": call, "date": retention.strftime("%d/%m/%Y")}
        self.fields["consent"].label = self.consent_text
        self.matches = self._find_matches()
        if self.matches:
            choices = [(str(i.pk), f"{i.name} — {i.address}, {i.city}") for i in self.matches]
            choices.append((NEW_INSTITUTION, _("No, it is a different institution")))
            self.fields["institution_match"].choices = choices
        self.helper.layout = Layout(*self.layout_parts())

    def _find_matches(self):
        if not self.is_bound:
            return []
        name = (self.data.get("institution_name") or "")[:200]
        city = (self.data.get("city") or "")[:120]
        if not name.strip():
            return []
        rows = Institution.objects.values_list("pk", "name", "city")
        keys = [key for key, _score in institution_matches(name, city, rows)]
        found = Institution.objects.in_bulk(keys)
        return [found[k] for k in keys if k in found]

    def layout_parts(self):
        institution = Fieldset(
            _("Your institution"),
            "institution_match" if getattr(self, "matches", None) else HTML(""),
            "institution_name",
            "legal_form",
            "sector",
            "address",
            "postal_code",
            "city",
            "website",
        )
        commitments = Fieldset(
            _("Your commitments"),
            HTML(
                format_html(
                    '<p class="form-text">{}</p>',
                    _("Taking part means being available on these dates; each is required."),
                )
            ),
            *[c.field_name for c in getattr(self, "commitments", [])],
        )
        return [
            institution,
            self.contact_fieldset(),
            self.commission_fieldset(),
            commitments,
            Fieldset(_("Data protection"), "consent"),
            HTML('<div class="visually-hidden" aria-hidden="true">'),
            "nickname",
            HTML("</div>"),
            Submit("submit", _("Submit my commission"), css_class="btn-lg"),
        ]

    def clean_nickname(self):
        if self.cleaned_data.get("nickname"):
            raise forms.ValidationError(_("This submission looks automated and was refused."))
        return ""

    def clean(self):
        cleaned = super().clean()
        if self.matches and not cleaned.get("institution_match"):
            names = ", ".join(i.name for i in self.matches)
            self.add_error(
                "institution_match",
                _("Did you mean %(names)s? Tell us whether it is the same institution.")
                % {"names": names},
            )
        return cleaned

    def chosen_institution(self):
        choice = self.cleaned_data.get("institution_match")
        if choice and choice != NEW_INSTITUTION:
            return next((i for i in self.matches if str(i.pk) == choice), None)
        return None

    def accepted_commitments(self):
        return [c.kind for c in self.commitments if self.cleaned_data.get(c.field_name)]


class LinkRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address used on the form"),
        error_messages={
            "required": _("Give your e-mail address."),
            "invalid": _("Enter a valid e-mail address, e.g. name@example.org."),
        },
    )


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I confirm that we withdraw this commission."),
        error_messages={"required": _("Tick the box to confirm the withdrawal.")},
    )


def _score_help(criterion):
    parts = [criterion.description] if criterion.description else []
    parts.append(
        _("From %(low)d (not at all) to %(high)d (fully).")
        % {"low": criterion.scale_min, "high": criterion.scale_max}
    )
    if criterion.eliminatory:
        parts.append(
            _("Eliminatory: a score of %(low)d makes the commission ineligible.")
            % {"low": criterion.scale_min}
        )
    return " ".join(str(p) for p in parts)


def _commission_label(commission):
    return f"{commission.reference} — {commission.title}"


class ScoreForm(forms.Form):
    """One reviewer's scores: a score and a comment per reviewer-scored criterion."""

    def __init__(self, *args, criteria, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        existing = existing or {}
        for criterion in self.criteria:
            previous = existing.get(criterion.pk)
            choices = [(s, str(s)) for s in range(criterion.scale_min, criterion.scale_max + 1)]
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.label,
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                help_text=_score_help(criterion),
                initial=previous.score if previous else None,
                error_messages={
                    "required": _("Give a score on this criterion."),
                    "invalid_choice": _("Choose a score on the scale."),
                },
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=previous.comment if previous else "",
            )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def scores(self):
        return {c.pk: self.cleaned_data[f"score_{c.pk}"] for c in self.criteria}

    def comments(self):
        return {c.pk: self.cleaned_data.get(f"comment_{c.pk}", "") for c in self.criteria}


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note (visible to coordinators only)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the note first.")},
    )


class AssignmentForm(forms.Form):
    reviewer = IdChoiceField(
        label=_("Reviewer"),
        queryset=None,
        empty_label=_("— choose —"),
        error_messages={"required": _("Choose a reviewer.")},
    )
    commissions = IdMultipleChoiceField(
        label=_("Commissions to review"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one commission.")},
    )

    def __init__(self, *args, reviewers, commissions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers
        self.fields["reviewer"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["commissions"].queryset = commissions
        self.fields["commissions"].label_from_instance = _commission_label


class SelectionParamsForm(forms.Form):
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=500)
    merit_weight = forms.FloatField(
        label=_("Weight of merit"),
        min_value=0,
        max_value=100,
        help_text=_("Multiplies each commission's merit (0–4)."),
    )
    sector_reward = forms.FloatField(
        label=_("Reward per sector covered"),
        min_value=0,
        max_value=100,
        help_text=_("1 means a new sector is worth one point of merit."),
    )
    type_reward = forms.FloatField(
        label=_("Reward per type of commission covered"), min_value=0, max_value=100
    )
    context_reward = forms.FloatField(
        label=_("Reward per intervention context covered"), min_value=0, max_value=100
    )
    similarity_penalty = forms.FloatField(
        label=_("Penalty per pair of similar problems"), min_value=0, max_value=100
    )
    similarity_threshold = forms.FloatField(
        label=_("Similarity threshold (%)"),
        min_value=1,
        max_value=100,
        help_text=_("Two problems at least this similar count as a pair."),
    )
    sector_cap = forms.IntegerField(
        label=_("At most this many per sector"),
        min_value=1,
        max_value=500,
        required=False,
    )
    waitlist_size = forms.IntegerField(
        label=_("Length of the waiting list"),
        min_value=0,
        max_value=500,
        help_text=_("The others are told they are not selected."),
    )
    pinned = IdMultipleChoiceField(
        label=_("Pinned (always selected)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    excluded = IdMultipleChoiceField(
        label=_("Excluded (never selected)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, commissions, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("pinned", "excluded"):
            self.fields[name].queryset = commissions
            self.fields[name].label_from_instance = _commission_label

    def clean(self):
        cleaned = super().clean()
        both = set(cleaned.get("pinned") or []) & set(cleaned.get("excluded") or [])
        if both:
            raise forms.ValidationError(
                _("A commission cannot be both pinned and excluded: %(refs)s")
                % {"refs": ", ".join(c.reference for c in both)}
            )
        return cleaned

    def params(self):
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("pinned", "excluded")}
        data["pinned"] = sorted(c.pk for c in self.cleaned_data.get("pinned") or [])
        data["excluded"] = sorted(c.pk for c in self.cleaned_data.get("excluded") or [])
        return data
