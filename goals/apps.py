from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "goals"

    def ready(self):
        # --- Hand-offs from check-ins: a check-in that did not take place reviewed no goals.
        from checkins.hooks import not_held
        from goals.services import goal_reviews_withdraw

        not_held.connect(goal_reviews_withdraw)
        # --- end of hand-offs from check-ins
