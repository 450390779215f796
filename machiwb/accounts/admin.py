from django.contrib import admin

from machiwb.accounts.models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
    list_display = ["email", "display_name", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "display_name"]
    exclude = ["password"]
    readonly_fields = ["public_id", "last_login", "date_joined"]
