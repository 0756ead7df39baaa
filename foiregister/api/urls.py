from csp import constants as csp_constants
from csp.decorators import csp
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
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

# The reference (ReDoc) and explorer (Swagger UI) build their pages in the browser: they set
# inline styles and ReDoc searches in a worker made from a blob. Their own policy allows that
# and nothing more; scripts still come only from our static files (the explorer's set-up
# script too: the split view serves it as a file instead of inline).
API_DOCS_POLICY = {
    "default-src": [csp_constants.SELF],
    "script-src": [csp_constants.SELF],
    "style-src": [csp_constants.SELF, csp_constants.UNSAFE_INLINE],
    "img-src": [csp_constants.SELF, "data:"],
    "font-src": [csp_constants.SELF],
    "connect-src": [csp_constants.SELF],
    "worker-src": [csp_constants.SELF, "blob:"],
    "object-src": [csp_constants.NONE],
    "base-uri": [csp_constants.SELF],
    "form-action": [csp_constants.SELF],
    "frame-ancestors": [csp_constants.NONE],
}

urlpatterns = [
    path("v1/ocds/", OcdsPackageView.as_view(), name="api-ocds"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "docs/",
        csp(API_DOCS_POLICY)(
            SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html")
        ),
        name="api-docs",
    ),
    path(
        "explorer/",
        csp(API_DOCS_POLICY)(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", template_name="api/swagger_ui.html"
            )
        ),
        name="api-explorer",
    ),
]
