"""Telesök (DIR-2, DIR-3): search, person and unit pages. Every signed-in user may read
them; a protected identity (ORG-4) is never listed, and its person page answers 404 to
everyone but the people organisation.permissions.can_view_person allows."""

from django.http import Http404
from django.shortcuts import render

from organisation import permissions
from organisation.models import Person, Unit
from organisation.selectors import manager_of, unit_ancestors
from subscriptions import permissions as entry_permissions

from . import selectors

# Hits shown on one page; the search asks for one more to know whether there are more.
PAGE_HITS = 50


def search(request):
    query = request.GET.get("q", "").strip()
    hits = selectors.search(query, limit=PAGE_HITS + 1) if query else []
    return render(
        request,
        "directory/search.html",
        {
            "query": query,
            "hits": hits[:PAGE_HITS],
            "more": len(hits) > PAGE_HITS,
            "page_hits": PAGE_HITS,
        },
    )


def person(request, pk):
    try:
        found = selectors.person_page(pk)
    except Person.DoesNotExist:
        raise Http404 from None
    if not permissions.can_view_person(request.user, found):
        raise Http404
    context = {
        "person": found,
        "subscriptions": selectors.subscriptions_of(found),
        "manager": manager_of(found),
        "ancestors": unit_ancestors(found.unit),
        "is_self": permissions.person_of(request.user) == found,
        "can_view_history": entry_permissions.can_view_entry_history(request.user, found),
        "can_edit": entry_permissions.can_edit_entry(request.user, found),
    }
    return render(request, "directory/person_detail.html", context)


def unit(request, pk):
    try:
        found = selectors.unit_page(pk)
    except Unit.DoesNotExist:
        raise Http404 from None
    context = {
        "unit": found,
        "ancestors": unit_ancestors(found),
        "children": selectors.unit_children(found),
        "people": selectors.unit_people(found),
        "functions": selectors.unit_functions(found),
    }
    return render(request, "directory/unit_detail.html", context)
