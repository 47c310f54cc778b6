from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"

    def ready(self):
        # --- Hand-offs from check-ins: a check-in's use report reaches the use log in the
        # check-in's transaction (checkins never import outcomes; see mentorship.registry).
        from checkins.hooks import use_reported
        from outcomes.services import use_report_from_checkin

        use_reported.connect(use_report_from_checkin)
        # --- end of hand-offs from check-ins
        # --- Hand-offs from accounts: a moved enrollment date recounts the use summary.
        from accounts.hooks import enrollment_changed
        from outcomes.services import use_summary_after_enrollment_change

        enrollment_changed.connect(use_summary_after_enrollment_change)
        # --- end of hand-offs from accounts
