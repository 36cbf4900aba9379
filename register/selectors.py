from django.db.models import Prefetch, QuerySet

from .models import RegisterImport, RegisterImportFile


def register_imports() -> QuerySet[RegisterImport]:
    """The imports, newest first, with their files' names (never their bytes)."""
    names = RegisterImportFile.objects.only("pk", "name", "register_import_id")
    return RegisterImport.objects.select_related("uploaded_by").prefetch_related(
        Prefetch("files", queryset=names)
    )
