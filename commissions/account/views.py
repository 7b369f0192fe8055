"""The account page: the language of the account's pages, e-mails and calendar."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commissions.accounts import language_of, set_language


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language of my pages, e-mails and calendar"),
        choices=settings.LANGUAGES,
        error_messages={"invalid_choice": gettext_lazy("Choose one of the languages offered.")},
    )


@login_required
def account(request):
    if request.method == "POST":
        form = LanguageForm(request.POST)
        if form.is_valid():
            code = set_language(request.user, form.cleaned_data["language"])
            request.account_language = code  # the cookie: the next pages follow
            translation.activate(code)
            messages.success(request, _("Your language is saved."))
            return redirect("commissions:account")
    else:
        form = LanguageForm(initial={"language": language_of(request.user, request.LANGUAGE_CODE)})
    return render(request, "commissions/account.html", {"form": form})
