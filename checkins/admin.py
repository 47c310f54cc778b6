from django.contrib import admin

from checkins.models import Alert, CheckIn, CheckinSettings, Schedule


@admin.register(CheckinSettings)
class CheckinSettingsAdmin(admin.ModelAdmin):
    list_display = ["program", "overdue_log_hours", "no_contact_days", "quiet_start", "quiet_end"]


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["match", "cadence", "time_of_day", "mode", "is_active"]
    raw_id_fields = ["match"]


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    # Logs are clinical records: the admin shows when and what state, never the content.
    list_display = ["pk", "program", "kind", "scheduled_at", "status"]
    list_filter = ["status", "kind", "program"]
    fields = ["program", "kind", "scheduled_at", "duration_minutes", "mode", "status"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["pk", "program", "kind", "raised_at", "acknowledged_at", "resolved_at"]
    list_filter = ["kind", "program"]
    readonly_fields = [f.name for f in Alert._meta.fields]
