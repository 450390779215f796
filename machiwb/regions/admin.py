from django.contrib import admin

from machiwb.regions.models import Municipality, Prefecture, RegionDataLoad


@admin.register(Prefecture)
class PrefectureAdmin(admin.ModelAdmin[Prefecture]):
    list_display = ["code", "name", "name_kana", "name_en"]
    search_fields = ["name", "name_kana", "name_hiragana"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin[Municipality]):
    list_display = ["code", "name", "kind", "prefecture", "population_census2020", "valid_to"]
    list_filter = ["kind", "prefecture"]
    search_fields = ["code", "name", "name_kana", "name_hiragana"]
    raw_id_fields = ["parent"]


@admin.register(RegionDataLoad)
class RegionDataLoadAdmin(admin.ModelAdmin[RegionDataLoad]):
    list_display = ["created_at", "created", "updated", "unchanged", "retired"]
    readonly_fields = ["files", "created", "updated", "unchanged", "retired"]
