from django.apps import AppConfig


class MentorshipConfig(AppConfig):
    name = "mentorship"
    verbose_name = "Audit trail"

    def ready(self):
        from mentorship import signals  # noqa: F401  (connects the sign-in audit receivers)
