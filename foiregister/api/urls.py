from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.routers import DefaultRouter

from .organisations import OrganisationViewSet
from .responses import PublishedResponseViewSet

router = DefaultRouter()
router.register("responses", PublishedResponseViewSet, basename="response")
router.register("organisations", OrganisationViewSet, basename="organisation")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-docs"),
]
