from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinsConfig(AppConfig):
    name = "checkins"

    def ready(self):
        # What check-ins plug into the site shell (mentorship/site.py).
        from checkins import dashboard
        from mentorship import access
        from mentorship.site import NavItem, dashboard_panels, nav_items

        dashboard_panels.register("checkins", dashboard.panel)
        roles = (access.COORDINATOR, access.MENTOR, access.MENTEE)
        nav_items.register("checkins", NavItem(_("Check-ins"), "checkins:list", roles, 90))
