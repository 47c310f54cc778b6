from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from mentorship.models import AuditEntry


class ServiceOwnedAdmin(admin.ModelAdmin):
    """A model whose changes carry rules (row locks, history, the audit trail, notifications)
    that live in its app's services. The admin only shows its rows and links to the app page
    that changes them: an edit here would skip every one of those rules.

    Subclasses set `app_page = (url_name, attribute)`: the page reversed with the value of
    `attribute` on the row (a dotted path such as "program.slug" is followed), or set
    `app_page = (url_name, None)` for a page without arguments.
    """

    app_page: tuple[str, str | None] | None = None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def app_url(self, obj) -> str | None:
        if self.app_page is None or obj is None or obj.pk is None:
            return None
        name, attribute = self.app_page
        if attribute is None:
            return reverse(name)
        value = obj
        for part in attribute.split("."):
            value = getattr(value, part)
            if value is None:  # e.g. a reminder planned outside any program
                return None
        return reverse(name, args=[value])

    # The change view's "View on site" button opens the app page.
    def view_on_site(self, obj):
        return self.app_url(obj)

    @admin.display(description=_("In the app"))
    def app_link(self, obj):
        url = self.app_url(obj)
        if url is None:
            return "-"
        return format_html('<a href="{}">{}</a>', url, _("Open the app page"))

    def get_list_display(self, request):
        return [*super().get_list_display(request), "app_link"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "app_link"]

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return fields if "app_link" in fields else ["app_link", *fields]


class ReadOnlyInline(admin.TabularInline):
    """History rows shown under their owner, written only by the owner's services."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ServiceOwnedAdmin):
    """The audit trail is append-only (a database trigger refuses UPDATE and DELETE too)."""

    list_display = ["at", "actor", "action", "object_type", "object_id", "program", "ip"]
    list_filter = ["action", "object_type"]
    date_hierarchy = "at"
    app_page = ("audit_trail", None)
