"""Webhook URLs: one unguessable prefix per connection."""

from django.urls import path

from . import views

urlpatterns = [
    path("twilio/<uuid:key>/voice", views.VoiceWebhook.as_view(), name="twilio-voice"),
    path("twilio/<uuid:key>/fallback", views.FallbackWebhook.as_view(), name="twilio-fallback"),
    path("twilio/<uuid:key>/gather", views.GatherWebhook.as_view(), name="twilio-gather"),
    path("twilio/<uuid:key>/partial", views.PartialSpeechWebhook.as_view(), name="twilio-partial"),
    path("twilio/<uuid:key>/reply", views.ReplyWebhook.as_view(), name="twilio-reply"),
    path("twilio/<uuid:key>/status", views.StatusWebhook.as_view(), name="twilio-status"),
]
