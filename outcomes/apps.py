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
            NavItem(
                _("Outcomes"),
                "outcomes:programs",
                (access.STAFF, access.COORDINATOR),
                110,
                "reports",
            ),
        )

        # --- Hand-offs from check-ins: a check-in's use report reaches the use log in the
        # check-in's transaction (checkins never import outcomes; see mentorship.registry).
        from checkins.hooks import use_reported
        from outcomes.services import use_report_from_checkin

        use_reported.connect(use_report_from_checkin)
        # A check-in cancelled, missed or moved changes the summary's activity figures.
        from checkins.hooks import not_held
        from outcomes.services import activity_figures_after_not_held

        not_held.connect(activity_figures_after_not_held)
        # --- end of hand-offs from check-ins
        # --- Hand-offs from accounts: a moved enrollment date recounts the use summary.
        from accounts.hooks import enrollment_changed
        from outcomes.services import use_summary_after_enrollment_change

        enrollment_changed.connect(use_summary_after_enrollment_change)
        from accounts.hooks import mentees_enrolled
        from outcomes.services import use_summaries_after_enrollment

        mentees_enrolled.connect(use_summaries_after_enrollment)
        # A new program gets its outcome settings row (the defaults) at once.
        from accounts.hooks import program_created
        from outcomes.services import outcome_settings_for_new_program

        program_created.connect(outcome_settings_for_new_program)
        # Another timezone: the stored activity figures were counted in the old one.
        from accounts.hooks import program_timezone_changed
        from outcomes.services import activity_figures_after_timezone_change

        program_timezone_changed.connect(activity_figures_after_timezone_change)
        # --- end of hand-offs from accounts

        from outcomes import assessments, export_jobs

        assessments.register()
        export_jobs.register()

        # Follow-up interviews (coordinators only): dashboard, participant page, notices.
        from mentorship.site import participant_panels
        from outcomes import followup_dashboard, followup_notices

        dashboard_panels.register("outcomes.followup", followup_dashboard.panel)
        participant_panels.register("outcomes.followup", followup_dashboard.participant_panel)

        from mentorship.site import participant_timeline
        from outcomes import participant

        participant_timeline.register("outcomes", participant.timeline)
        participant_panels.register("outcomes.metrics", participant.metrics_panel)
        nav_items.register(
            "outcomes.followup",
            NavItem(
                _("Follow-up"), "outcomes:followup_programs", (access.COORDINATOR,), 112, "reports"
            ),
        )
        followup_notices.register()
