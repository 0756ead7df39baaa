from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from .cdcs import PublicCdcViewSet
from .contracts import PublicContractViewSet
from .metrics import RunViewSet
from .ocds import OcdsPackageView
from .organisations import OrganisationViewSet
from .responses import PublishedResponseViewSet

router = DefaultRouter()
router.register("responses", PublishedResponseViewSet, basename="response")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("contracts", PublicContractViewSet, basename="contract")
router.register("cdcs", PublicCdcViewSet, basename="cdc")
router.register("runs", RunViewSet, basename="run")

urlpatterns = [
    path("v1/ocds/", OcdsPackageView.as_view(), name="api-ocds"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-docs"),
    path("explorer/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-explorer"),
]
