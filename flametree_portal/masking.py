"""How a secret is shown to people: never the value, at most its last four characters."""

MASK_CHAR = "•"


def mask_secret(secret: str | None) -> str:
    """`••••••••••••1234` for a long secret, all dots for a short one, "" for none."""
    if not secret:
        return ""
    tail = secret[-4:] if len(secret) >= 16 else ""
    return MASK_CHAR * 12 + tail
