from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        # The invitation kind lives here: accounts is below this app and cannot register it.
        from notifications import invitations, second_factor

        invitations.register()
        # Same reason: the notice of a second-factor reset, queued through an accounts hook.
        second_factor.register()
