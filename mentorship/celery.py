import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")

app = Celery("mentorship")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _drop_broken_or_old_connections(sender=None, **kwargs) -> None:
    """What Django does around each request, around each task: a database connection that
    failed or outlived CONN_MAX_AGE is closed, the rest kept for the next task (settings tell
    Celery not to close them all after every task; a new PostgreSQL session per reminder batch
    started cold each time). A task run in place (eagerly) shares its caller's connection."""
    if not getattr(sender.request, "is_eager", False):
        from django.db import close_old_connections

        close_old_connections()
