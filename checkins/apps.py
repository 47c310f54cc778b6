from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "checkins"

    def ready(self):
        # --- Hand-offs from matching: an ended match calls off the check-ins still planned.
        from checkins.services import checkins_after_match_end
        from matching.hooks import match_ended

        match_ended.connect(checkins_after_match_end)
        # --- end of hand-offs from matching
