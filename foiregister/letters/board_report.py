"""The FOI lead's board report: the statistics, their definitions and the dashboard's
charts as a PDF, set by the letters' WeasyPrint pipeline (``render.render_report_pdf``).
Counts only: nothing about a requester or a single request."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path

from foiregister.requests.admin.reports import StatisticsForm, dashboard_context

from . import render


class BoardReportAdminMixin:
    """Adds ``statistics/board-report.pdf`` to the request admin (letters extend it)."""

    def get_urls(self):
        return [
            path(
                "statistics/board-report.pdf",
                self.admin_site.admin_view(self.board_report_view),
                name="foiregister_request_board_report",
            ),
            *super().get_urls(),
        ]

    def board_report_view(self, request):
        form = StatisticsForm(request.GET or None, user=request.user)
        if not form.is_bound or not form.is_valid():
            raise PermissionDenied  # an organisation the person does not lead, or no period
        data = form.cleaned_data
        context = dashboard_context(
            organisation=data["organisation"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            as_of=data["as_of"],
        )
        figures = context["figures"]
        title = (
            f"FOI report to the board: {data['organisation'].name}, requests received "
            f"{figures['from']} to {figures['to']}"
        )
        pdf = render.render_report_pdf("letters/board_report.html", context, title=title)
        response = HttpResponse(pdf, content_type="application/pdf")
        name = f"foi-board-report-{figures['organisation']}-{figures['from']}-{figures['to']}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
