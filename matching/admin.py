from django.contrib import admin

from matching.models import (
    Match,
    MatchingSettings,
    MatchStatusChange,
    NeverPair,
    PhilosophyCompatibility,
)
from mentorship.admin import ReadOnlyInline, ServiceOwnedAdmin


class MatchStatusChangeInline(ReadOnlyInline):
    model = MatchStatusChange
    fields = ["from_status", "to_status", "end_reason", "changed_at", "changed_by"]
    readonly_fields = fields


@admin.register(Match)
class MatchAdmin(ServiceOwnedAdmin):
    # Approving, pausing and ending lock the mentor's capacity and write history and audit.
    list_display = ["mentee", "mentor", "program", "status", "score", "proposed_at", "ended_at"]
    list_filter = ["status", "program"]
    list_select_related = ["mentee__user", "mentor__user", "program"]
    inlines = [MatchStatusChangeInline]
    app_page = ("matching:match_detail", "pk")


@admin.register(MatchingSettings)
class MatchingSettingsAdmin(ServiceOwnedAdmin):
    list_display = ["program", "mentor_must_accept"]
    app_page = ("matching:settings", "program.slug")


# No app page edits this table and no rule guards it: it stays editable, as a vocabulary does.
@admin.register(PhilosophyCompatibility)
class PhilosophyCompatibilityAdmin(admin.ModelAdmin):
    list_display = ["program", "mentee_philosophy", "mentor_philosophy", "compatibility"]
    list_filter = ["program"]


@admin.register(NeverPair)
class NeverPairAdmin(ServiceOwnedAdmin):
    list_display = ["program", "mentee", "mentor", "reason", "created_at"]
    list_filter = ["program", "reason"]
    app_page = ("matching:suggestions", "mentee_id")
