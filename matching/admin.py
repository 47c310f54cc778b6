from django.contrib import admin

from matching.models import (
    Match,
    MatchingSettings,
    MatchStatusChange,
    NeverPair,
    PhilosophyCompatibility,
)


class MatchStatusChangeInline(admin.TabularInline):
    model = MatchStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "end_reason", "changed_at", "changed_by"]


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ["mentee", "mentor", "program", "status", "score", "proposed_at", "ended_at"]
    list_filter = ["status", "program"]
    inlines = [MatchStatusChangeInline]


@admin.register(MatchingSettings)
class MatchingSettingsAdmin(admin.ModelAdmin):
    list_display = ["program", "mentor_must_accept"]


@admin.register(PhilosophyCompatibility)
class PhilosophyCompatibilityAdmin(admin.ModelAdmin):
    list_display = ["program", "mentee_philosophy", "mentor_philosophy", "compatibility"]
    list_filter = ["program"]


@admin.register(NeverPair)
class NeverPairAdmin(admin.ModelAdmin):
    list_display = ["program", "mentee", "mentor", "reason", "created_at"]
    list_filter = ["program", "reason"]
