"""The OCDS 1.1.5 release package of public contracts, as the register page offers it."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.exceptions import NothingToPublish
from foiregister.disclosure import registers


class OcdsPackageView(APIView):
    @extend_schema(
        summary="OCDS 1.1.5 release package",
        description="One release per public contract and per change; withheld values are "
        "left out. The whole register in one package (not paginated).",
        responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        try:
            package = registers.public_ocds_package(uri=request.build_absolute_uri())
        except NothingToPublish as exc:  # OCDS has no valid empty package
            raise NotFound(exc.message) from exc
        return Response(package)
