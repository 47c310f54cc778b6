from django.contrib import admin

from matching.models import Match


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ["mentee", "mentor", "program", "status", "score", "proposed_at", "ended_at"]
    list_filter = ["status", "program"]
