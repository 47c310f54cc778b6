from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        # What accounts plugs into the kernel and the site shell (mentorship/site.py).
        from django.contrib.auth.signals import user_logged_in

        from accounts import access_rules, dashboard, participant, second_factor_middleware
        from mentorship import access
        from mentorship.site import (
            NavItem,
            dashboard_panels,
            nav_items,
            participant_panels,
            participant_timeline,
        )

        access.rules.register("roles", access_rules.roles_held)
        access.rules.register("program_ids", access_rules.program_ids_with_role)
        dashboard_panels.register("accounts", dashboard.panel)
        # The admin never shows or edits second factors (django-otp's TOTP page shows the key
        # and its QR code): a superuser resets them with the user list's action, audited.
        from django.contrib import admin
        from django_otp.plugins.otp_totp.models import TOTPDevice

        if admin.site.is_registered(TOTPDevice):
            admin.site.unregister(TOTPDevice)
        # A new sign-in is judged afresh for its second step (accounts/second_factor.py).
        user_logged_in.connect(second_factor_middleware.judge_sign_in, dispatch_uid="second_factor")
        participant_panels.register("accounts.consent", participant.consent_panel)
        participant_timeline.register("accounts", participant.timeline)
        coordinator = (access.COORDINATOR,)
        for key, label, url_name, order, group in [
            ("mentees", _("Mentees"), "accounts:mentee_list", 10, "people"),
            ("mentors", _("Mentors"), "accounts:mentor_list", 20, "people"),
            ("import", _("Import"), "accounts:participant_import", 30, "people"),
            ("invitations", _("Invitations"), "accounts:invitation_list", 40, "people"),
            ("program_settings", _("Program settings"), "accounts:program_list", 50, "program"),
        ]:
            nav_items.register(
                f"accounts.{key}", NavItem(label, url_name, coordinator, order, group)
            )
