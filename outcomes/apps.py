from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"

    def ready(self) -> None:
        from outcomes import assessments, export_jobs

        assessments.register()
        export_jobs.register()
