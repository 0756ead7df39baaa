from django.urls import path

from . import register_views as views
from . import statistics_views

app_name = "registers"

urlpatterns = [
    path("contracts/", views.contract_register, name="contracts"),
    path("contracts.csv", views.contract_register_csv, name="contracts_csv"),
    path("cdcs/", views.cdc_register, name="cdcs"),
    path("cdcs.csv", views.cdc_register_csv, name="cdcs_csv"),
    path("ocds.json", views.ocds_package, name="ocds"),
    path("psr/", statistics_views.psr_annual_summary, name="psr_summary"),
]
