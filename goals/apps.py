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

        # --- Hand-offs from check-ins: a check-in that did not take place reviewed no goals.
        from checkins.hooks import not_held
        from goals.services import goal_reviews_withdraw

        not_held.connect(goal_reviews_withdraw)
        # --- end of hand-offs from check-ins

        # A new program gets the default goal templates (accounts.programs).
        from accounts.hooks import program_created
        from goals.services import goal_templates_for_new_program

        program_created.connect(goal_templates_for_new_program)
