from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Site")

    def ready(self):
        from mentorship import access
        from mentorship.site import NavItem, nav_items

        nav_items.register("home", NavItem(_("Dashboard"), "home", order=0))
        nav_items.register(
            "audit_trail",
            NavItem(_("Audit trail"), "audit_trail", (access.COORDINATOR,), 80, "program"),
        )
