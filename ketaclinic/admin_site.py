"""The clinic admin pages: Django's admin app, served by ``ClinicAdminSite``.

Installed as ``ketaclinic.admin_site.ClinicAdminConfig`` in place of ``django.contrib.admin``
so that ``admin.site`` (mounted at /clinic-admin/) is the clinic-scoped site. This module
imports no models: it is loaded while the app registry is being built.
"""

from django.contrib.admin.apps import AdminConfig


class ClinicAdminConfig(AdminConfig):
    default_site = "ketaclinic.accounts.site.ClinicAdminSite"
