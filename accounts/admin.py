from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts import models


@admin.register(models.User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Name", {"fields": ["first_name", "last_name", "timezone"]}),
        (
            "Access",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class MembershipInline(admin.TabularInline):
    model = models.Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(models.Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "organization", "timezone"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "program", "role", "is_active"]
    list_filter = ["role", "program"]
    autocomplete_fields = ["user"]


for vocabulary in (models.Philosophy, models.FocusArea, models.Substance, models.Training):
    admin.site.register(
        vocabulary,
        list_display=["name", "program", "position", "is_active"],
        list_filter=["program", "is_active"],
        search_fields=["name"],
    )


@admin.register(models.Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


# --- Profiles, history, consent and invitations (superusers; coordinators use the app's pages)


class MentorTrainingInline(admin.TabularInline):
    model = models.MentorTraining
    extra = 0


@admin.register(models.MentorProfile)
class MentorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "program", "capacity", "accepting_new", "is_active"]
    list_filter = ["program", "is_active", "accepting_new"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["philosophies", "focus_areas", "languages", "lived_substances"]
    inlines = [MentorTrainingInline]
    list_select_related = ["user", "program"]


class MenteeFocusAreaInline(admin.TabularInline):
    model = models.MenteeFocusArea
    extra = 0


class StatusChangeInline(admin.TabularInline):
    """History is written by accounts.services.mentee_status_change only."""

    model = models.StatusChange
    extra = 0
    fields = ["changed_at", "from_status", "to_status", "reason", "changed_by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.MenteeProfile)
class MenteeProfileAdmin(admin.ModelAdmin):
    list_display = ["participant_id", "user", "program", "status", "study_arm", "enrolled_on"]
    list_filter = ["program", "status", "study_arm"]
    search_fields = ["participant_id", "user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    # The status moves through the lifecycle service so that history is kept.
    readonly_fields = ["participant_id", "status"]
    filter_horizontal = ["substances", "languages"]
    inlines = [MenteeFocusAreaInline, StatusChangeInline]
    list_select_related = ["user", "program"]


@admin.register(models.StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["mentee", "from_status", "to_status", "changed_at", "changed_by"]
    list_filter = ["to_status"]
    search_fields = ["mentee__participant_id"]
    list_select_related = ["mentee__user", "changed_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadMostlyAdmin(admin.ModelAdmin):
    """Records with legal weight: viewable, never added, edited or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Consent)
class ConsentAdmin(ReadMostlyAdmin):
    list_display = ["mentee", "version", "signed_at", "expires_on", "revoked_at"]
    list_filter = ["mentee__program"]
    search_fields = ["mentee__participant_id"]
    list_select_related = ["mentee__user"]


@admin.register(models.Invitation)
class InvitationAdmin(ReadMostlyAdmin):
    # The token hash is left out: it is useless to a reader and need not be displayed.
    list_display = ["user", "program", "created_at", "expires_at", "used_at", "superseded_at"]
    list_filter = ["program"]
    search_fields = ["user__email"]
    exclude = ["token_hash"]
    list_select_related = ["user", "program"]
