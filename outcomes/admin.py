from django.contrib import admin

from mentorship.admin import ServiceOwnedAdmin
from outcomes.models import Disclosure, OutcomeSettings


@admin.register(OutcomeSettings)
class OutcomeSettingsAdmin(ServiceOwnedAdmin):
    list_display = ["program", "conflict_rule", "assessment_weeks"]
    app_page = ("outcomes:settings", "program.slug")


@admin.register(Disclosure)
class DisclosureAdmin(ServiceOwnedAdmin):
    """A disclosure record is evidence and is never edited; the consent it rests on is shown
    on the participant's page."""

    list_display = ["disclosed_at", "program", "mentee", "recipient", "disclosed_by"]
    list_filter = ["program"]
    app_page = ("accounts:mentee_detail", "mentee_id")
