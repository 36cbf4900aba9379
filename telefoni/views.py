import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from absence import selectors as absence_selectors
from common.logs import current_request_id
from compliance.permissions import can_view_dashboard
from compliance.selectors import open_flags_for
from organisation.permissions import person_of
from service import selectors as service_selectors
from voicemail import selectors as voicemail_selectors

from . import health
from .inbox import inbox

log = logging.getLogger(__name__)


def start(request):
    """The inbox: everything that waits for the signed-in person, by role, the oldest
    first (issue 19.1; gathered in telefoni/inbox.py), then the lists acted on here."""
    person = person_of(request.user)
    context: dict[str, object] = {
        "person": person,
        "inbox": inbox(request),
        "flags": open_flags_for(person),
    }
    # the compliance dashboard, for those with units to watch.
    context["compliance_dashboard"] = can_view_dashboard(request.user)
    if person is not None:
        # ABS-1: the one-click hänvisningar and the current one.
        context["presets"] = absence_selectors.presets(person)
        context["current_redirect"] = absence_selectors.current_redirect_of(person)
        # SRV-2: callers waiting for this person; SRV-4: threat reports to this manager.
        context["open_callbacks"] = list(service_selectors.open_callbacks_for(person))
        context["unread_threats"] = list(service_selectors.unread_threats_for(person))
        context["today"] = service_selectors.today()
        # VM-4: boxes to mark listened today, one click each.
        context["voicemail_boxes"] = voicemail_selectors.boxes_to_listen(person)
    return render(request, "start.html", context)


def locked_out(request, *args, **kwargs):
    """django-axes lockout page: Swedish, says when to try again (never for good)."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """The fields and the status codes are described in telefoni/health.py."""
    status, body = health.report()
    return JsonResponse(body, status=status)


def server_error(request):
    """The 500 page: no database, no context processors (the database may be what failed);
    it shows the request id, which the log lines of the failure carry."""
    request_id = current_request_id()
    try:
        body = loader.get_template("500.html").render({"request_id": request_id})
    except Exception:
        # The page itself failed (a static file missing from the manifest, say): plain text
        # in Swedish rather than the server's own page.
        log.exception("the 500 page could not be rendered")
        body = escape(
            _("Something went wrong. The error has been logged. Error code: %(request_id)s")
            % {"request_id": request_id or "-"}
        )
    return HttpResponseServerError(body)
