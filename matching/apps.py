from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"

    def ready(self):
        # What matching plugs into lower layers and the site shell (mentorship/site.py).
        from accounts.selectors import match_sources
        from matching import access_rules, dashboard, participant
        from matching.selectors import waiting_mentees
        from mentorship import access
        from mentorship.site import (
            NavItem,
            dashboard_panels,
            nav_items,
            participant_panels,
            participant_timeline,
        )

        access.rules.register("matched_mentee_ids", access_rules.matched_mentee_ids)
        access.rules.register("open_match_ids", access_rules.open_match_ids)
        match_sources.register("current", access_rules.current_matches)
        # The one definition of "waiting for a mentor": the dashboard's count, the matching
        # panel, the work queue and the participant list's "Waiting for a mentor" filter.
        match_sources.register("waiting", waiting_mentees)
        dashboard_panels.register("matching", dashboard.panel)
        participant_panels.register("matching.match", participant.match_panel)
        participant_timeline.register("matching", participant.timeline)
        nav_items.register(
            "matching",
            NavItem(_("Matching"), "matching:programs", (access.COORDINATOR,), 70, "program"),
        )

        from matching import notices

        notices.register()
