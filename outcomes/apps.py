from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "outcomes"

    def ready(self):
        # What outcomes plug into the site shell (mentorship/site.py).
        from mentorship import access
        from mentorship.site import NavItem, dashboard_panels, nav_items
        from outcomes import dashboard

        dashboard_panels.register("outcomes", dashboard.panel)
        nav_items.register(
            "outcomes.calendar",
            NavItem(_("My calendar"), "outcomes:my_calendar", (access.MENTEE,), 100),
        )
        nav_items.register(
            "outcomes",
            NavItem(_("Outcomes"), "outcomes:programs", (access.STAFF, access.COORDINATOR), 110),
        )
