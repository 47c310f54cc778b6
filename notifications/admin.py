from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: a message's state changes only through the outbox's conditional updates
    (an edit here could send a cancelled message or send one twice). Failed ones are retried
    from the program's engagement page."""

    list_display = ["pk", "kind", "recipient", "due_at", "status", "attempts", "last_error"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
