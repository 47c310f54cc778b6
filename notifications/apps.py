from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        # The invitation and e-mail change kinds live here: accounts is below this app and cannot register it.
        from notifications import email_change, invitations

        invitations.register()
        email_change.register()
