"""Bodies of the outbound calls REST API: a call request and the call it started."""

from rest_framework import serializers


class CallRequestSerializer(serializers.Serializer):
    to = serializers.CharField(
        max_length=32, help_text="The number to call, in E.164 format (for example +14155550123)."
    )
    connection = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="Id of the attached Twilio connection to call from (its number is the caller ID). "
        "Required only when the agent has several Twilio connections.",
    )


class PlacedCallSerializer(serializers.Serializer):
    session = serializers.UUIDField(help_text="Id of the call's session.")
    url = serializers.CharField(help_text="Where to follow the session: its state and transcript.")
    state = serializers.CharField(help_text='"dialing" until the callee answers (then "open") or the call ends.')
    close_reason = serializers.CharField(
        required=False, help_text='Only when the call already ended ("closed"): why, e.g. dial-error.'
    )
    detail = serializers.CharField(
        required=False, help_text='Only when the call already ended ("closed"): what happened and what to fix.'
    )


class RefusalSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What is wrong and how to fix it.")
    code = serializers.CharField(required=False, help_text="The reason, for programs (e.g. max-opened-sessions).")
