"""Re-encrypt every stored secret with the first key of SECRET_ENCRYPTION_KEYS.

Key rotation in three steps: put the new key first in SECRET_ENCRYPTION_KEYS (keep the old
ones after it), run this command, then drop the old keys. The command finds every
EncryptedTextField of every model, so a secret added to a new model is rotated without
changing this file.
"""

from collections.abc import Iterator

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.db.models.functions import Cast

from flametree_portal.encrypted_fields import EncryptedTextField, secret_box


def encrypted_fields() -> Iterator[tuple[type[models.Model], EncryptedTextField]]:
    """Each (model, field) whose column holds a Fernet token, once per database table."""
    for model in apps.get_models():
        # A proxy shares its table with its concrete model, and an unmanaged model's table
        # is someone else's: rotating them would re-encrypt a column twice or touch data we don't own.
        if model._meta.proxy or not model._meta.managed:
            continue
        # Local fields only: a multi-table child sees its parent's fields, which live in the parent's table.
        for field in model._meta.local_concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted secret (Twilio Auth Tokens, LLM API keys, running snapshots) "
        "with the first key in SECRET_ENCRYPTION_KEYS. All or nothing: if one value cannot be "
        "decrypted with any configured key, nothing is changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="How many rows to read and rewrite at a time (default 500).",
        )

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        total = 0
        with transaction.atomic():
            for model, field in encrypted_fields():
                count = self._rotate_column(model, field, batch_size)
                total += count
                self.stdout.write(f"{model._meta.label}.{field.name}: {count} value(s) re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"Done: {total} secret(s) re-encrypted with the first key."))

    def _rotate_column(self, model: type[models.Model], field: EncryptedTextField, batch_size: int) -> int:
        """Rotate one column in pk order, `batch_size` rows at a time; return how many values changed."""
        box = secret_box()
        # Cast to a plain TextField so the ORM hands back the stored token, not the decrypted secret.
        rows = (
            model._base_manager.annotate(stored_token=Cast(field.name, output_field=models.TextField()))
            .exclude(stored_token__isnull=True)
            .exclude(stored_token="")
            .order_by("pk")
        )
        count = 0
        last_pk = None
        while True:
            batch = rows if last_pk is None else rows.filter(pk__gt=last_pk)
            batch = list(batch.values_list("pk", "stored_token")[:batch_size])
            if not batch:
                return count
            for pk, stored_token in batch:
                try:
                    rotated = box.rotate(stored_token.encode()).decode()
                except InvalidToken:
                    raise CommandError(
                        f"{model._meta.label} pk={pk}, field {field.name}: the stored value cannot be "
                        "decrypted with any key in SECRET_ENCRYPTION_KEYS. Nothing was changed; add back "
                        "the key it was encrypted with and run the command again."
                    ) from None
                # A Value with a plain TextField is written as is: the field's own get_prep_value
                # would encrypt the token a second time. update() also leaves auto_now fields alone,
                # so rotating does not look like an edit that needs an agent restart.
                model._base_manager.filter(pk=pk).update(
                    **{field.name: models.Value(rotated, output_field=models.TextField())}
                )
                count += 1
            last_pk = batch[-1][0]
