from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        # The invitation, e-mail change and second-factor reset kinds live here: accounts is
        # below this app and cannot register them (each is queued through an accounts hook).
        from notifications import email_change, invitations, second_factor

        invitations.register()
        email_change.register()
        second_factor.register()
