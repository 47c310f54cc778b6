from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinsConfig(AppConfig):
    name = "checkins"

    def ready(self):
        # What check-ins plug into the site shell (mentorship/site.py).
        from checkins import dashboard, participant
        from mentorship import access
        from mentorship.site import (
            NavItem,
            dashboard_panels,
            nav_items,
            participant_panels,
            participant_timeline,
        )

        participant_timeline.register("checkins", participant.timeline)
        participant_panels.register("checkins.recent", participant.panel)

        dashboard_panels.register("checkins", dashboard.panel)
        roles = (access.COORDINATOR, access.MENTOR, access.MENTEE)
        nav_items.register("checkins", NavItem(_("Check-ins"), "checkins:list", roles, 90))

        # --- Hand-offs from matching: an ended match calls off the check-ins still planned.
        from checkins.services import checkins_after_match_end
        from matching.hooks import match_ended

        match_ended.connect(checkins_after_match_end)
        # --- end of hand-offs from matching

        from checkins import emails

        emails.register()
