from functools import partial

from .inbox import inbox_count


def inbox(request):
    """`inbox_count` for the navigation's badge: a callable, so the template computes it
    (once per request, shared with the start page) only where it shows it."""
    return {"inbox_count": partial(inbox_count, request)}
