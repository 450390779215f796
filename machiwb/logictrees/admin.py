from django.contrib import admin

from machiwb.logictrees.models import KpiCandidate


@admin.register(KpiCandidate)
class KpiCandidateAdmin(admin.ModelAdmin[KpiCandidate]):
    list_display = ("code", "name_ja", "kind", "unit", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name_ja")
