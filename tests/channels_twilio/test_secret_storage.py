"""The Auth Token at rest: only a Fernet token in the database, and key rotation with rotate_secret_keys."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command
from django.db import connection as db

from agents.models import Agent
from channels_twilio.models import ChannelAttachment, TwilioConnection
from flametree_portal.encrypted_fields import UndecryptableSecret, _fernet_for, secret_box
from tests.conftest import new_auth_token

pytestmark = pytest.mark.django_db


def stored_value(model, field: str, pk) -> str:
    """The column as the database holds it, read with plain SQL (no model field in between)."""
    table, column, id_column = (db.ops.quote_name(n) for n in (model._meta.db_table, field, model._meta.pk.column))
    with db.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {id_column} = %s", [pk])  # noqa: S608 (names only)
        return cursor.fetchone()[0]


@pytest.fixture
def use_keys(settings):
    """Set SECRET_ENCRYPTION_KEYS, as an operator rotating keys would."""

    def use(*keys: str) -> None:
        settings.SECRET_ENCRYPTION_KEYS = list(keys)
        _fernet_for.cache_clear()

    yield use
    _fernet_for.cache_clear()


def decrypts_with(key: str, stored: str) -> str | None:
    try:
        return Fernet(key.encode()).decrypt(stored.encode()).decode()
    except InvalidToken:
        return None


def test_the_database_holds_a_fernet_token_not_the_auth_token(connection_factory, settings):
    connection = connection_factory()
    token = connection.auth_token
    stored = stored_value(TwilioConnection, "auth_token", connection.pk)
    assert token not in stored
    assert secret_box().decrypt(stored.encode()).decode() == token
    assert decrypts_with(settings.SECRET_ENCRYPTION_KEYS[0], stored) == token


def test_the_same_token_is_stored_differently_each_time(connection_factory):
    token = new_auth_token()
    first, second = connection_factory(auth_token=token), connection_factory(auth_token=token)
    assert stored_value(TwilioConnection, "auth_token", first.pk) != stored_value(
        TwilioConnection, "auth_token", second.pk
    )


def test_reading_the_connection_gives_the_auth_token_back(connection_factory):
    token = new_auth_token()
    pk = connection_factory(auth_token=token).pk
    assert TwilioConnection.objects.get(pk=pk).auth_token == token
    assert TwilioConnection.objects.values_list("auth_token", flat=True).get(pk=pk) == token


def test_changing_the_token_stores_a_new_encrypted_value(connection_factory):
    connection = connection_factory()
    before = stored_value(TwilioConnection, "auth_token", connection.pk)
    connection.auth_token = new_auth_token()
    connection.save()
    after = stored_value(TwilioConnection, "auth_token", connection.pk)
    assert after != before and connection.auth_token not in after
    assert TwilioConnection.objects.get(pk=connection.pk).auth_token == connection.auth_token


def test_str_and_repr_do_not_contain_the_token(connection_factory):
    connection = connection_factory()
    token = connection.auth_token
    for text in (str(connection), repr(connection)):
        assert token not in text
    assert token[-4:] in connection.masked_auth_token and token not in connection.masked_auth_token


def test_a_token_under_a_removed_key_fails_with_a_message_not_garbage(connection_factory, use_keys):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    use_keys(old)
    connection = connection_factory()
    use_keys(new)
    with pytest.raises(
        UndecryptableSecret, match="cannot be decrypted with any key in SECRET_ENCRYPTION_KEYS"
    ) as caught:
        TwilioConnection.objects.get(pk=connection.pk)
    assert connection.auth_token not in str(caught.value)


@pytest.fixture
def secrets_under_old_key(use_keys, connection_factory, agent_factory, attachment_factory):
    """Connections, an agent's LLM API key and a running snapshot, all encrypted with K1 only."""
    k1 = Fernet.generate_key().decode()
    use_keys(k1)
    connections = [connection_factory() for _ in range(5)]
    agent = agent_factory(llm_api_key="sk-test-" + new_auth_token())
    agent_factory()  # no LLM key: nothing to rotate
    attachment = attachment_factory(agent=agent, connection=connections[0])
    attachment.snapshot_auth_token = connections[0].auth_token
    attachment.save()
    return k1, connections, agent, attachment


def all_stored(connections, agent, attachment) -> list[tuple[str, str]]:
    """(plaintext, stored) for every secret the fixture wrote."""
    pairs = [(c.auth_token, stored_value(TwilioConnection, "auth_token", c.pk)) for c in connections]
    pairs.append((agent.llm_api_key, stored_value(Agent, "llm_api_key", agent.pk)))
    pairs.append(
        (attachment.snapshot_auth_token, stored_value(ChannelAttachment, "snapshot_auth_token", attachment.pk))
    )
    return pairs


def test_rotation_reencrypts_every_secret_with_the_new_first_key(secrets_under_old_key, use_keys):
    k1, connections, agent, attachment = secrets_under_old_key
    k2 = Fernet.generate_key().decode()
    use_keys(k2, k1)
    # Before rotation the old values still decrypt: K1 is still in the list.
    assert [c.auth_token for c in TwilioConnection.objects.order_by("pk")] == [c.auth_token for c in connections]
    assert Agent.objects.get(pk=agent.pk).llm_api_key == agent.llm_api_key
    updated_at = {c.pk: c.updated_at for c in TwilioConnection.objects.all()}

    out = StringIO()
    call_command("rotate_secret_keys", "--batch-size", "2", stdout=out)

    for plaintext, stored in all_stored(connections, agent, attachment):
        assert decrypts_with(k2, stored) == plaintext
        assert decrypts_with(k1, stored) is None
    # Rotating is not an edit: agents are not told to restart.
    assert {c.pk: c.updated_at for c in TwilioConnection.objects.all()} == updated_at
    # With the old key gone the portal still reads everything.
    use_keys(k2)
    assert [c.auth_token for c in TwilioConnection.objects.order_by("pk")] == [c.auth_token for c in connections]
    assert Agent.objects.get(pk=agent.pk).llm_api_key == agent.llm_api_key
    assert ChannelAttachment.objects.get(pk=attachment.pk).snapshot_auth_token == connections[0].auth_token

    report = out.getvalue()
    assert "channels_twilio.TwilioConnection.auth_token: 5 value(s) re-encrypted" in report
    assert "agents.Agent.llm_api_key: 1 value(s) re-encrypted" in report
    assert "channels_twilio.ChannelAttachment.snapshot_auth_token: 1 value(s) re-encrypted" in report
    for plaintext, stored in all_stored(connections, agent, attachment):
        assert plaintext not in report and stored not in report


def test_rotation_leaves_empty_secrets_empty(use_keys, agent_factory):
    use_keys(Fernet.generate_key().decode())
    agent = agent_factory(llm_api_key="")
    out = StringIO()
    call_command("rotate_secret_keys", stdout=out)
    assert stored_value(Agent, "llm_api_key", agent.pk) == ""
    assert "agents.Agent.llm_api_key: 0 value(s) re-encrypted" in out.getvalue()


def test_a_secret_no_key_decrypts_stops_rotation_naming_the_row_and_changes_nothing(
    secrets_under_old_key, use_keys, connection_factory
):
    k1, connections, agent, attachment = secrets_under_old_key
    lost_key = Fernet.generate_key().decode()
    use_keys(lost_key)
    orphan = connection_factory()
    orphan_stored = stored_value(TwilioConnection, "auth_token", orphan.pk)
    k2 = Fernet.generate_key().decode()
    use_keys(k2, k1)
    before = all_stored(connections, agent, attachment)

    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("rotate_secret_keys", "--batch-size", "2", stdout=out, stderr=err)

    message = str(caught.value)
    assert f"channels_twilio.TwilioConnection pk={orphan.pk}" in message
    assert "cannot be decrypted with any key in SECRET_ENCRYPTION_KEYS" in message
    for printed in (message, out.getvalue(), err.getvalue()):
        assert orphan.auth_token not in printed and orphan_stored not in printed
    # All or nothing: the rows rotated before the failure were rolled back.
    assert all_stored(connections, agent, attachment) == before
    assert stored_value(TwilioConnection, "auth_token", orphan.pk) == orphan_stored
