from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from . import selectors
from .forms import RegisterUploadForm
from .permissions import can_import_register
from .reader import KIND_NAMES, KINDS, ORDER, SAMPLE_NAMES

SAMPLES = Path(__file__).resolve().parent / "samples"


def _require(request):
    if not can_import_register(request.user):
        raise PermissionDenied


@require_http_methods(["GET", "HEAD", "POST"])
def import_list(request):
    """Upload today's register (Tele kundtjänst); the earlier imports."""
    _require(request)
    form = RegisterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            register_import = form.save(actor=request.user)
        except ValidationError as error:
            form.add_error("register_files", error.messages)
        else:
            messages.success(request, _("The files are uploaded; the import has started."))
            return redirect(register_import.get_absolute_url())
    kinds = [
        {"name": KIND_NAMES[kind], "columns": KINDS[kind], "sample": SAMPLE_NAMES[kind]}
        for kind in ORDER
    ]
    context = {"form": form, "imports": selectors.register_imports()[:20], "kinds": kinds}
    return render(request, "register/registerimport_list.html", context)


def _visible(request, pk):
    _require(request)
    register_import = selectors.register_imports().filter(pk=pk).first()
    if register_import is None:
        raise Http404
    return register_import


@require_safe
def import_detail(request, pk):
    """The import's progress, then its summary per kind or the list of problems."""
    register_import = _visible(request, pk)
    counts = [
        {"name": KIND_NAMES[kind], **register_import.counts[kind]}
        for kind in ORDER
        if kind in register_import.counts
    ]
    context = {"register_import": register_import, "counts": counts}
    return render(request, "register/registerimport_detail.html", context)


@require_safe
def import_status(request, pk):
    """What the progress poll (static/js/costs-import.js) reads."""
    register_import = _visible(request, pk)
    return JsonResponse(
        {
            "status": register_import.status,
            "status_label": register_import.get_status_display(),
            "progress": register_import.progress,
            "finished": register_import.is_finished,
        }
    )


@require_safe
def sample(request, name):
    """A sample file of one kind (register/samples/)."""
    _require(request)
    if name not in SAMPLE_NAMES.values():
        raise Http404
    return FileResponse(
        (SAMPLES / name).open("rb"), as_attachment=True, filename=name, content_type="text/csv"
    )
