from django.contrib import admin

from machiwb.guide.models import FaqEntry


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin[FaqEntry]):
    list_display = ["question", "topic", "order", "published", "updated_at"]
    list_filter = ["topic", "published"]
    list_editable = ["order", "published"]
    search_fields = ["question", "answer", "question_en", "answer_en"]
