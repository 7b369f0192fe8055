from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from commissions.models import Call, PastConsultancy
from mias import pagecache


class PublicPage:
    """A page the same for every anonymous visitor: rendered once, then served from the cache
    (mias.pagecache, through cms.views.serve)."""

    def cache_until(self, context):
        """When the page turns by itself (a call opens or closes); None: only on a change."""
        return None

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(pagecache.context(request))
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        current = pagecache.rendering(request)
        # A page behind a password or a group is never stored for everyone.
        if current is not None and not self.get_view_restrictions().exists():
            current.allow(self.cache_until(getattr(response, "context_data", None) or {}))
        return response


def calls_turn(calls):
    """The next moment one of these calls opens or closes."""
    return pagecache.next_change(*[m for c in calls for m in (c.opens_at, c.deadline)])


class HomePage(PublicPage, Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["cms.CallPage", "cms.StandardPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        pages = (
            CallPage.objects.live()
            .child_of(self)
            .select_related("call__programme")
            .order_by("-call__opens_at")
        )
        now = timezone.now()
        context["open_calls"] = [p for p in pages if p.call.accepts_submissions(now)]
        context["other_calls"] = [p for p in pages if not p.call.accepts_submissions(now)]
        return context

    def cache_until(self, context):
        pages = context.get("open_calls", []) + context.get("other_calls", [])
        return calls_turn([p.call for p in pages])


class CallPageForm(WagtailAdminPageForm):
    """The call is chosen among the calls of the editor's programmes."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if "call" in self.fields and for_user is not None and not for_user.is_superuser:
            self.fields["call"].queryset = Call.objects.filter(
                programme__coordinators=for_user
            ).distinct()


class CallPage(PublicPage, Page):
    """The public call for commissions: coordinator-written text around the call's live data."""

    # One page per language (Wagtail's translations of the page) for the same call.
    call = models.ForeignKey(
        "commissions.Call", on_delete=models.PROTECT, related_name="pages", verbose_name=_("call")
    )
    intro = RichTextField(_("introduction"), blank=True)
    body = RichTextField(_("body"), blank=True)
    closing = RichTextField(_("closing words"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("call"),
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("closing"),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.StandardPage"]
    base_form_class = CallPageForm

    class Meta:
        verbose_name = _("call page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        call = (
            Call.objects.select_related("programme")
            .prefetch_related("key_dates", "criteria")
            .get(pk=self.call_id)
        )
        now = timezone.now()
        context.update(
            call=call,
            key_dates=list(call.key_dates.all()),
            commitments=call.commitments(),
            criteria=list(call.criteria.all()),
            past_consultancies=list(
                PastConsultancy.objects.filter(
                    programme=call.programme, hidden=False
                ).select_related("sector")
            ),
            is_open=call.accepts_submissions(now),
            not_yet_open=call.not_yet_open(now),
        )
        return context

    def cache_until(self, context):
        return calls_turn([context["call"]]) if "call" in context else None


class StandardPage(PublicPage, Page):
    body = RichTextField(_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("body")]

    class Meta:
        verbose_name = _("standard page")
