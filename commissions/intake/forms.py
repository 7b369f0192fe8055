from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from commissions.models import Commission, Institution, KeyDate, Sector
from commissions.similarity import institution_matches
from mias.ids import IdChoiceField
from mias.validators import PlainTextMixin

NEW_INSTITUTION = "new"


class PresentationChoiceField(IdChoiceField):
    def label_from_instance(self, obj):
        return obj.when()


class CommissionForm(PlainTextMixin, forms.ModelForm):
    """The part of a commission its institution may edit until the deadline."""

    languages = forms.MultipleChoiceField(
        label=_("Languages the students will need"),
        choices=Commission.Language.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=["fr"],
        error_messages={"required": _("Choose at least one language.")},
    )
    submitter_language = forms.ChoiceField(
        label=_("Language of our e-mails and of your private page"),
        choices=settings.LANGUAGES,
        required=False,  # a browser always sends one; without it, the page's language
        error_messages={"invalid_choice": _("Choose one of the languages offered.")},
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
            "submitter_language",
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
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("submitter_language", get_language() or "fr")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*self.layout_parts())

    def contact_fieldset(self):
        return Fieldset(
            _("Contact person"),
            "contact_name",
            "contact_role",
            "contact_email",
            "contact_phone",
            "submitter_language",
        )

    def commission_fieldset(self):
        fields = [
            "title",
            "question",
            # Similar commissions of earlier years and organisations on the same question,
            # fetched while the question is typed (network's htmx panel).
            HTML('{% include "network/finder/_similar_slot.html" %}'),
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
    library_consent = forms.BooleanField(
        label=_(
            "Once the year is over, the MIAS may list this commission (its title, sector and "
            "question, without any name) as an example on its future calls."
        ),
        required=False,
    )
    # Honeypot: hidden from people, filled in by bots.
    nickname = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        # Out of reach of the keyboard and of autofill, so only bots fill it.
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, call, **kwargs):
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
        ) % {"call": call, "date": date_format(retention, "DATE_FORMAT")}
        self.fields["consent"].label = self.consent_text
        self.matches = self._find_matches()
        if self.matches:
            # Name and city only: the form is public, an address is not for anyone to read.
            choices = [(str(i.pk), f"{i.name} — {i.city}") for i in self.matches]
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
            Fieldset(_("Data protection"), "consent", "library_consent"),
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


class InstitutionDetailsForm(forms.ModelForm):
    """The institution corrects its own details through its link, until the selection."""

    sector = IdChoiceField(label=_("Sector"), queryset=Sector.objects.all(), empty_label=None)

    class Meta:
        model = Institution
        fields = ["name", "address", "postal_code", "city", "website", "sector"]
        help_texts = {"website": _("The full address, e.g. https://www.example.org")}
