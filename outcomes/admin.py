from django.contrib import admin

from outcomes.models import Disclosure, OutcomeSettings


@admin.register(OutcomeSettings)
class OutcomeSettingsAdmin(admin.ModelAdmin):
    list_display = ["program", "conflict_rule", "assessment_weeks"]


@admin.register(Disclosure)
class DisclosureAdmin(admin.ModelAdmin):
    """Read-only: a disclosure record is evidence and is never edited."""

    list_display = ["disclosed_at", "program", "mentee", "recipient", "disclosed_by"]
    list_filter = ["program"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
