"""Django admin with the console's sign-in: INSTALLED_APPS names this app config in place of
"django.contrib.admin". Kept apart from the site, which imports views and so models."""

from django.contrib.admin.apps import AdminConfig


class ConsoleSignInAdminConfig(AdminConfig):
    default_site = "civicdesk.console.admin_site.ConsoleSignInAdminSite"
