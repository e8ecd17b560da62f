"""The ledger's screens: the custodian's stock, counts, discrepancies and reports, and the
controlled-substance panel's actions at the infusion session."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from ketaclinic.ledger.views import oversight, panel, reports, stock

app_name = "ledger"

urlpatterns: list[URLPattern | URLResolver] = [
    path("ledger/", stock.stock_page, name="stock"),
    path("ledger/containers/<int:pk>/", stock.container_page, name="container"),
    path("ledger/receive/", stock.receive_page, name="receive"),
    path("ledger/transfer/", stock.transfer_page, name="transfer"),
    path("ledger/sessions/", stock.sessions_page, name="sessions"),
    path("ledger/count/", oversight.count_page, name="count"),
    path("ledger/counts/<int:pk>/", oversight.count_result, name="count_result"),
    path("ledger/loss/", oversight.loss_page, name="loss"),
    path("ledger/losses/<int:pk>/", oversight.loss_notice, name="loss_notice"),
    path("ledger/destroy/", oversight.destroy_page, name="destroy"),
    path("ledger/adjust/", oversight.adjust_page, name="adjust"),
    path("ledger/discrepancies/", oversight.discrepancies_page, name="discrepancies"),
    path("ledger/discrepancies/<int:pk>/", oversight.discrepancy_page, name="discrepancy"),
    path(
        "ledger/discrepancies/<int:pk>/note/", oversight.discrepancy_note, name="discrepancy_note"
    ),
    path(
        "ledger/discrepancies/<int:pk>/resolve/",
        oversight.discrepancy_resolve,
        name="discrepancy_resolve",
    ),
    path("ledger/reports/", reports.reports_page, name="reports"),
    path("ledger/reports/csv/", reports.report_csv, name="report_csv"),
    path("ledger/reports/pdf/", reports.report_pdf, name="report_pdf"),
    path("ledger/inventory/", reports.inventory_page, name="inventory"),
    path("ledger/inventories/<int:pk>/pdf/", reports.inventory_pdf, name="inventory_pdf"),
    path("sessions/<int:pk>/ledger/draw/", panel.draw, name="session_draw"),
    path("sessions/<int:pk>/ledger/administer/", panel.administer, name="session_administer"),
    path("sessions/<int:pk>/ledger/waste/", panel.waste, name="session_waste"),
    path("sessions/<int:pk>/ledger/return/", panel.return_to_stock, name="session_return"),
]
