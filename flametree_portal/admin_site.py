"""The admin site, with the portal's sections in product order."""

from django.contrib import admin

SECTION_ORDER = ["channels_twilio", "agents", "sessions_app", "auth", "authtoken"]


class PortalAdminSite(admin.AdminSite):
    site_header = "Flametree portal"
    site_title = "Flametree portal"
    index_title = "Portal"

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        for app in apps:
            if app["app_label"] == "authtoken":
                app["name"] = "API tokens"  # DRF calls them "Auth Token", easily taken for Twilio's
        rank = {label: i for i, label in enumerate(SECTION_ORDER)}
        return sorted(apps, key=lambda app: rank.get(app["app_label"], len(rank)))
