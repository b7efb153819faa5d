from django.apps import AppConfig


class ChannelsTwilioConfig(AppConfig):
    name = "channels_twilio"
    # The admin shows this app as the "Settings" section (Settings > Channels).
    verbose_name = "Settings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from agents import channels

        from . import connection_removal  # noqa: F401  (connects its pre_delete receiver)
        from .channel import TWILIO

        channels.register(TWILIO)  # the agent page and Start/Stop agent reach Twilio through this
