"""The portal's admin site: the Django admin, branded as the Flametree portal."""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "flametree_portal.admin_site.PortalAdminSite"
