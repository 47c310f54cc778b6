from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import models, second_factor, services
from mentorship.admin import ReadOnlyInline, ServiceOwnedAdmin


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
    actions = ["reset_second_factor"]

    @admin.action(
        description=_("Reset second factor (removes app, passkeys and recovery codes)"),
        permissions=["reset_second_factor"],
    )
    def reset_second_factor(self, request, queryset):
        # Through the service: superusers only, audited in each of the person's programs, and
        # the person is e-mailed.
        for user in queryset:
            second_factor.second_factor_reset(actor=request.user, user=user, request=request)
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "Second factor reset for %(count)d person.",
                "Second factor reset for %(count)d people.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def has_reset_second_factor_permission(self, request) -> bool:
        return request.user.is_superuser

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:  # saved
            user = models.User.objects.get(pk=id)
            services.person_changed_by_admin(
                actor=request.user, user=user, fields=["password"], request=request
            )
        return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            # A superuser's change to a person is in the trail of every program they belong to.
            services.person_changed_by_admin(
                actor=request.user, user=obj, fields=list(form.changed_data), request=request
            )


# Stay editable, because the app has no page for them and no service with rules to skip:
# users' sign-in and staff flags, creating programs, granting roles (memberships), and the
# vocabularies and languages that are a superuser's to curate.


class MembershipInline(admin.TabularInline):
    model = models.Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(models.Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "organization", "timezone", "second_factor_grace_days"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:  # a new program gets the same defaults as one made by command or page
            from accounts.programs import program_set_up

            program_set_up(program=obj)

    inlines = [MembershipInline]
    # What the program's settings page edits, through a service that audits it, is set here
    # only when the program is created.
    settings_fields = [
        "timezone",
        "default_checkin_cadence",
        "min_recovery_months",
        "required_trainings",
        "crisis_resources",
    ]

    def get_readonly_fields(self, request, obj=None):
        return self.settings_fields if obj is not None else []

    def view_on_site(self, obj):
        return reverse("accounts:program_settings", args=[obj.slug])


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


# --- Profiles, history, consent and invitations: shown here, changed on the app's pages, whose
# services keep the status history, row locks and audit trail an admin edit would skip.


class MentorTrainingInline(ReadOnlyInline):
    model = models.MentorTraining


@admin.register(models.MentorProfile)
class MentorProfileAdmin(ServiceOwnedAdmin):
    list_display = ["user", "program", "capacity", "accepting_new", "is_active"]
    list_filter = ["program", "is_active", "accepting_new"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    inlines = [MentorTrainingInline]
    list_select_related = ["user", "program"]
    app_page = ("accounts:mentor_detail", "pk")


class MenteeFocusAreaInline(ReadOnlyInline):
    model = models.MenteeFocusArea


class StatusChangeInline(ReadOnlyInline):
    model = models.StatusChange
    fields = ["changed_at", "from_status", "to_status", "reason", "changed_by"]
    readonly_fields = fields


@admin.register(models.MenteeProfile)
class MenteeProfileAdmin(ServiceOwnedAdmin):
    list_display = ["participant_id", "user", "program", "status", "study_arm", "enrolled_on"]
    list_filter = ["program", "status", "study_arm"]
    search_fields = ["participant_id", "user__email", "user__first_name", "user__last_name"]
    inlines = [MenteeFocusAreaInline, StatusChangeInline]
    list_select_related = ["user", "program"]
    app_page = ("accounts:mentee_detail", "pk")


@admin.register(models.StatusChange)
class StatusChangeAdmin(ServiceOwnedAdmin):
    list_display = ["mentee", "from_status", "to_status", "changed_at", "changed_by"]
    list_filter = ["to_status"]
    search_fields = ["mentee__participant_id"]
    list_select_related = ["mentee__user", "changed_by"]
    app_page = ("accounts:mentee_status", "mentee_id")


@admin.register(models.Consent)
class ConsentAdmin(ServiceOwnedAdmin):
    list_display = ["mentee", "version", "signed_at", "expires_on", "revoked_at"]
    list_filter = ["mentee__program"]
    search_fields = ["mentee__participant_id"]
    list_select_related = ["mentee__user"]
    app_page = ("accounts:consent_detail", "pk")


@admin.register(models.Invitation)
class InvitationAdmin(ServiceOwnedAdmin):
    # The token hash is left out: it is useless to a reader and need not be displayed.
    list_display = ["user", "program", "created_at", "expires_at", "used_at", "superseded_at"]
    list_filter = ["program"]
    search_fields = ["user__email"]
    exclude = ["token_hash"]
    list_select_related = ["user", "program"]
    app_page = ("accounts:invitation_list", None)


@admin.register(models.EmailChange)
class EmailChangeAdmin(ServiceOwnedAdmin):
    # Confirmed by the person from the new address; the token hash is useless to a reader.
    list_display = ["user", "created_at", "expires_at", "used_at", "superseded_at"]
    search_fields = ["user__email"]
    exclude = ["token_hash"]
    list_select_related = ["user"]
    app_page = ("accounts:account", None)
