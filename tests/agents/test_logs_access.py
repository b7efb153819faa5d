"""An agent's logs show webhook URLs (with the connection key) and callers' numbers: only for who may see it."""

from django.contrib.auth.models import Permission
from django.urls import reverse

from agents import agent_log


def staff_user(django_user_model, username: str, *permissions: str):
    user = django_user_model.objects.create_user(username, f"{username}@example.test", "pw", is_staff=True)
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label="agents"))
    return user


def test_staff_without_agent_permission_cannot_open_an_agents_logs(client, django_user_model, running_line):
    line = running_line()
    agent_log.warning(line.agent_id, "Call from +15005550006 got the offline apology")
    client.force_login(staff_user(django_user_model, "sessions-reader"))

    response = client.get(reverse("admin:agents_agent_logs", args=[line.agent_id]))

    assert response.status_code == 403
    assert b"+15005550006" not in response.content
    assert str(line.connection.webhook_key).encode() not in response.content


def test_staff_who_may_view_agents_reads_the_logs(client, django_user_model, running_line):
    line = running_line()
    agent_log.warning(line.agent_id, "Call from +15005550006 got the offline apology")
    client.force_login(staff_user(django_user_model, "viewer", "view_agent"))

    response = client.get(reverse("admin:agents_agent_logs", args=[line.agent_id]) + "?tab=twilio")

    assert response.status_code == 200
    assert b"Call from +15005550006 got the offline apology" in response.content
