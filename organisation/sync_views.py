"""Issue 17: "Synka nu": Tele kundtjänst starts the directory sync and follows its runs."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import directory_sync, permissions
from .models import DirectorySyncRun

RUNS_SHOWN = 20


@require_http_methods(["GET", "POST"])
def directory_sync_page(request):
    if not permissions.can_sync_directory(request.user):
        raise PermissionDenied
    if request.method == "POST":
        run, new = directory_sync.run_request(actor=request.user)
        if new:
            messages.success(request, _("The directory sync is queued. Refresh to follow it."))
        else:
            messages.info(request, _("A directory sync is already queued or running."))
        return redirect("organisation:directory_sync_run", pk=run.pk)
    runs = list(DirectorySyncRun.objects.select_related("requested_by")[:RUNS_SHOWN])
    return render(
        request,
        "organisation/directory_sync.html",
        {
            "runs": runs,
            "pending": next((run for run in runs if run.is_pending), None),
            "configured": directory_sync.configured(),
        },
    )


def directory_sync_run(request, pk):
    if not permissions.can_sync_directory(request.user):
        raise PermissionDenied
    run = get_object_or_404(DirectorySyncRun.objects.select_related("requested_by"), pk=pk)
    return render(request, "organisation/directory_sync_run.html", {"run": run})
