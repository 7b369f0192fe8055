"""Pages of a coordinator's long lists: a bounded number of rows per request, whatever the data.

The rows are ordered and cut in the database; the total comes from one COUNT of the filtered
list (counting the ordered query again would redo its aggregates). Page links keep every other
parameter of the request (filters, sort), so moving between pages never loses them.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

PAGE_SIZE = 50


class CountedPaginator(Paginator):
    """A paginator told its total, so that the ordered query is run only for the page."""

    def __init__(self, object_list, per_page, count):
        super().__init__(object_list, per_page)
        self._total = count

    @cached_property
    def count(self):
        return self._total


def page_of(request, queryset, count=None, per_page=PAGE_SIZE, param="page"):
    """The page asked for by ?<param>= (the last one past the end, the first one for nonsense);
    `param` tells apart two lists paged on one page, as `{% pager %}` does."""
    if count is None:
        paginator = Paginator(queryset, per_page)
    else:
        paginator = CountedPaginator(queryset, per_page, count)
    return paginator.get_page(request.GET.get(param, "")[:10])


def search_term(request, limit=100):
    """What the list's search box asks (?q=), as the database may be asked it: trimmed, bounded,
    without the NUL characters PostgreSQL refuses."""
    return request.GET.get("q", "").replace("\x00", "").strip()[:limit]


def query_without(request, *names):
    """The request's query string without these parameters, to add them back in links."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()
