from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoalsConfig(AppConfig):
    name = "goals"

    def ready(self):
        # What goals plug into the site shell (mentorship/site.py).
        from goals import dashboard
        from mentorship import access
        from mentorship.site import NavItem, dashboard_panels, nav_items

        dashboard_panels.register("goals", dashboard.panel)
        roles = (access.MENTEE, access.MENTOR, access.COORDINATOR)
        nav_items.register("goals", NavItem(_("Goals"), "goals:board", roles, 60))
