"""The ledger's screens (custodian stock, discrepancies, reports) are added on top of the core."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "ledger"

urlpatterns: list[URLPattern | URLResolver] = []
