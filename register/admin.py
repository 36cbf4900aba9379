from django.contrib import admin

from .models import RegisterImport


@admin.register(RegisterImport)
class RegisterImportAdmin(admin.ModelAdmin):
    list_display = ["uploaded_at", "uploaded_by", "status", "error_count"]
    list_filter = ["status"]
    readonly_fields = [field.name for field in RegisterImport._meta.fields]
