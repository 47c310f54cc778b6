from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        # The invitation kind lives here: accounts is below this app and cannot register it.
        from notifications import invitations

        invitations.register()
