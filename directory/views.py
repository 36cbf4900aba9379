"""Telesök (DIR-2, DIR-3): search, person and unit pages. Every signed-in user may read
them; a protected identity (ORG-4) is never listed, and its person page answers 404 to
everyone but the people organisation.permissions.can_view_person allows."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from absence import permissions as absence_permissions
from absence import selectors as absence_selectors
from organisation import permissions
from organisation.models import Person, Unit
from organisation.selectors import manager_of, unit_ancestors
from subscriptions import permissions as entry_permissions

from . import selectors

# Hits shown on one page; the search asks for one more to know whether there are more.
PAGE_HITS = 50


def search(request, fragment=False):
    """Telesök; with `fragment` only its results (directory/_results.html), which the page
    fetches as one types (issue 19.4)."""
    query = request.GET.get("q", "").strip()
    hits = selectors.search(query, limit=PAGE_HITS + 1) if query else []
    shown = selectors.attach_redirects(hits[:PAGE_HITS])
    # ABS-1: the signed-in person's own row offers the one-click hänvisningar.
    own = permissions.person_of(request.user)
    own_hit = next(
        (hit for hit in shown if own is not None and hit.person and hit.person.pk == own.pk),
        None,
    )
    return render(
        request,
        "directory/_results.html" if fragment else "directory/search.html",
        {
            "query": query,
            # Where the one-click hänvisning returns: the page, also from the fragment.
            "search_url": f"{reverse('directory:search')}?{urlencode({'q': query})}",
            "hits": shown,
            "more": len(hits) > PAGE_HITS,
            "page_hits": PAGE_HITS,
            "own_hit": own_hit,
            "presets": absence_selectors.presets(own) if own_hit and own is not None else [],
        },
    )


def person(request, pk):
    try:
        found = selectors.person_page(pk)
    except Person.DoesNotExist:
        raise Http404 from None
    if not permissions.can_view_person(request.user, found):
        raise Http404
    subscriptions = selectors.subscriptions_of(found)
    for subscription in subscriptions:
        # BAR-2: "Ändra spärrar" where this person may change the barring (issue 19.8).
        subscription.can_change_barring = entry_permissions.can_change_barring(
            request.user, subscription
        )
    context = {
        "person": found,
        "subscriptions": subscriptions,
        "manager": manager_of(found),
        "ancestors": unit_ancestors(found.unit),
        "is_self": permissions.person_of(request.user) == found,
        "can_view_history": entry_permissions.can_view_entry_history(request.user, found),
        "can_edit": entry_permissions.can_edit_entry(request.user, found),
        # ABS-1/ABS-3: the current hänvisning and who set it; the manager's sick-leave form.
        "redirect": absence_selectors.current_redirect_of(found),
        "can_set_sick": absence_permissions.can_set_sick_redirect(request.user, found),
    }
    return render(request, "directory/person_detail.html", context)


def unit(request, pk):
    try:
        found = selectors.unit_page(pk)
    except Unit.DoesNotExist:
        raise Http404 from None
    people = list(selectors.unit_people(found))
    functions = list(selectors.unit_functions(found))
    # ABS-1: each row's current hänvisning, one query for the page.
    redirects = absence_selectors.current_redirects(
        [s.pk for p in people for s in p.listed] + [f.pk for f in functions]
    )
    for p in people:
        p.redirect = next((redirects[s.pk] for s in p.listed if s.pk in redirects), None)
    for f in functions:
        f.redirect = redirects.get(f.pk)
    context = {
        "unit": found,
        "ancestors": unit_ancestors(found),
        "children": selectors.unit_children(found),
        "people": people,
        "functions": functions,
        "can_edit_hours": absence_permissions.can_edit_unit_hours(request.user, found),
    }
    return render(request, "directory/unit_detail.html", context)
