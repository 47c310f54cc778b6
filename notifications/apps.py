from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        # The invitation, e-mail change, password reset and second-factor reset kinds live
        # here: accounts is below this app and cannot register them (each is queued through an
        # accounts hook).
        from notifications import email_change, invitations, password_reset, second_factor

        invitations.register()
        email_change.register()
        password_reset.register()
        second_factor.register()
