from django.contrib import admin

from checkins.models import Alert, CheckIn, CheckinSettings, Schedule
from mentorship.admin import ServiceOwnedAdmin


@admin.register(CheckinSettings)
class CheckinSettingsAdmin(ServiceOwnedAdmin):
    list_display = ["program", "overdue_log_hours", "no_contact_days", "quiet_start", "quiet_end"]
    app_page = ("checkins:program_settings", "program_id")


@admin.register(Schedule)
class ScheduleAdmin(ServiceOwnedAdmin):
    # Editing a schedule rewrites the match's future occurrences; only the service does that.
    list_display = ["match", "cadence", "time_of_day", "mode", "is_active"]
    app_page = ("checkins:schedule", "match_id")


@admin.register(CheckIn)
class CheckInAdmin(ServiceOwnedAdmin):
    # Logs are clinical records: the admin shows when and what state, never the content.
    list_display = ["pk", "program", "kind", "scheduled_at", "status"]
    list_filter = ["status", "kind", "program"]
    fields = ["program", "kind", "scheduled_at", "duration_minutes", "mode", "status"]
    readonly_fields = fields
    app_page = ("checkins:detail", "pk")


@admin.register(Alert)
class AlertAdmin(ServiceOwnedAdmin):
    list_display = ["pk", "program", "kind", "raised_at", "acknowledged_at", "resolved_at"]
    list_filter = ["kind", "program"]
    readonly_fields = [f.name for f in Alert._meta.fields]
    app_page = ("checkins:alert", "pk")
