from django.apps import AppConfig


class ChannelsTwilioConfig(AppConfig):
    name = "channels_twilio"
    # The admin shows this app as the "Settings" section (Settings > Channels).
    verbose_name = "Settings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import connection_removal  # noqa: F401  (connects its pre_delete receiver)
