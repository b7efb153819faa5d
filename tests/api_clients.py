"""REST API clients for tests: a user with exactly one permission, authenticated by its token."""

from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def token_client(user) -> APIClient:
    """An API client that authenticates as `user` with its token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def user_allowed_to(django_user_model, username: str, permission: str):
    """A portal user with one permission, given as "app_label.codename"."""
    app_label, codename = permission.split(".")
    user = django_user_model.objects.create_user(username, f"{username}@example.test", f"{username}-password")
    user.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label=app_label))
    return user
