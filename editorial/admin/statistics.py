"""信息工作统计 at /admin/statistics/: the page with its charts, the spreadsheet and the year-end Word report.

For reviewers and administrators (the permission `editorial.view_statistics`); the figures come
from `editorial.statistics`, the charts and tables from `editorial.statistics_report`.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode

from .. import charts, statistics, statistics_report
from ..docx import DocxRenderError
from ..docx_report import annual_report_docx
from ..models import Adoption, Instruction, Publication
from ..printing import content_disposition

app_name = "statistics"
PERMISSION = "editorial.view_statistics"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MONTHS = [(month, f"{month}月") for month in range(1, 13)]
SCOPES = [
    ("year", "全年"),
    ("q1", "第一季度"),
    ("q2", "第二季度"),
    ("q3", "第三季度"),
    ("q4", "第四季度"),
    ("months", "按月份"),
]


def available_years(with_issues: list[int]) -> list[int]:
    """Years with published issues or records, and this year, newest first."""
    years = set(with_issues)
    for model in (Instruction, Adoption):
        years.update(date.year for date in model.objects.dates("date", "year"))
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


class PeriodForm(forms.Form):
    """The period the page shows: a year, and all of it, a quarter or a range of its months."""

    year = forms.TypedChoiceField(label="年份", coerce=int)
    scope = forms.ChoiceField(label="范围", choices=SCOPES, initial="year", required=False)
    first_month = forms.TypedChoiceField(
        label="从", choices=MONTHS, coerce=int, initial=1, required=False, empty_value=1
    )
    last_month = forms.TypedChoiceField(
        label="到", choices=MONTHS, coerce=int, initial=12, required=False, empty_value=12
    )

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, f"{year}年") for year in years]
        self.fields["year"].error_messages["invalid_choice"] = "没有这个年份的数据，请从列表中选择年份。"
        self.fields["year"].error_messages["required"] = "请选择年份。"
        for name in ("scope", "first_month", "last_month"):
            self.fields[name].error_messages["invalid_choice"] = (
                f"“{self.fields[name].label}”的选项不正确，请从列表中选择。"
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == "months":
            first, last = cleaned.get("first_month"), cleaned.get("last_month")
            if first and last and first > last:
                self.add_error("last_month", f"结束月份（{last}月）不能早于开始月份（{first}月）。")
        return cleaned

    def period(self) -> statistics.Period:
        year, scope = self.cleaned_data["year"], self.cleaned_data["scope"] or "year"
        if scope.startswith("q"):
            return statistics.Period.of_quarter(year, int(scope[1]))
        if scope == "months":
            return statistics.Period(year, self.cleaned_data["first_month"], self.cleaned_data["last_month"])
        return statistics.Period(year)


def default_year(with_issues: list[int]) -> int:
    """This year once it has published issues, else the latest year that has some."""
    this_year = timezone.localdate().year
    if this_year in with_issues or not with_issues:
        return this_year
    return with_issues[0]


def chosen_period(request) -> tuple[PeriodForm, statistics.Period]:
    with_issues = statistics.years_with_issues()
    defaults = {"year": default_year(with_issues), "scope": "year", "first_month": 1, "last_month": 12}
    data = {**defaults, **request.GET.dict()} if "year" in request.GET else None
    form = PeriodForm(data, years=available_years(with_issues), initial=defaults)
    if data is not None and form.is_valid():
        return form, form.period()
    if data is not None:
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    return form, statistics.Period(defaults["year"])


def period_query(period: statistics.Period) -> str:
    """The page's own query string for a period (for the download links)."""
    if period.is_whole_year:
        scope = {"scope": "year"}
    elif period.quarter:
        scope = {"scope": f"q{period.quarter}"}
    else:
        scope = {"scope": "months", "first_month": period.first_month, "last_month": period.last_month}
    return urlencode({"year": period.year, **scope})


def _require(request) -> None:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied("信息工作统计只对审核和管理员开放。")


def statistics_view(request):
    _require(request)
    form, period = chosen_period(request)
    stats = statistics.work_statistics(period=period)
    chart_list = statistics_report.charts(stats)
    counts = statistics_report.delta_counts(stats)
    thresholds = statistics_report.heat_thresholds(counts)
    record_filter = urlencode({"date__gte": period.start.isoformat(), "date__lte": period.end.isoformat()})
    context = {
        **admin.site.each_context(request),
        "title": f"{period.label}信息工作统计",
        "form": form,
        "period": period,
        "stats": stats,
        "summary": statistics_report.summary(stats, publication_title=_publication().title),
        "characters": statistics_report.ten_thousands(stats.characters),
        "figures": {slug: (chart, charts.svg(chart)) for slug, chart in chart_list.items()},
        "delta": [
            (
                province,
                [(city, statistics_report.heat_level(city.count, thresholds)) for city in province.cities],
            )
            for province in stats.delta
        ],
        "heat_legend": statistics_report.heat_legend(thresholds, max(counts, default=0)),
        "query": period_query(period),
        "instruction_list_url": reverse("admin:editorial_instruction_changelist") + "?" + record_filter,
        "adoption_list_url": reverse("admin:editorial_adoption_changelist") + "?" + record_filter,
    }
    return TemplateResponse(request, "admin/editorial/statistics/index.html", context)


def _publication():
    return Publication.objects.current() or Publication(title="长三角每周要讯", office="")


def _title(period: statistics.Period) -> str:
    return f"{period.year}年度信息工作统计" if period.is_whole_year else f"{period.label}信息工作统计"


def report_view(request):
    """The year-end report (年度信息工作统计) as a Word file."""
    _require(request)
    _, period = chosen_period(request)
    stats = statistics.work_statistics(period=period)
    try:
        content = annual_report_docx(
            stats=stats,
            chart_list=statistics_report.charts(stats),
            publication=_publication(),
            instructions=statistics.instructions_in(period=period),
            adoptions=statistics.adoptions_in(period=period),
            today=timezone.localdate(),
        )
    except DocxRenderError as refusal:
        messages.error(request, str(refusal))
        return TemplateResponse(
            request,
            "admin/editorial/statistics/unavailable.html",
            {**admin.site.each_context(request), "title": "无法生成 Word 文件", "reason": str(refusal)},
            status=503,
        )
    return _download(content, DOCX_TYPE, f"{_title(period)}.docx", f"statistics-{period.year}.docx")


def spreadsheet_view(request):
    """The figures and the period's records as an Excel workbook."""
    _require(request)
    _, period = chosen_period(request)
    content = statistics_report.as_xlsx(statistics.work_statistics(period=period))
    return _download(content, XLSX_TYPE, f"{_title(period)}.xlsx", f"statistics-{period.year}.xlsx")


def _download(content: bytes, content_type: str, filename: str, ascii_fallback: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(
        filename=filename, ascii_fallback=ascii_fallback, inline=False
    )
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("", admin.site.admin_view(statistics_view), name="index"),
    path("report.docx", admin.site.admin_view(report_view), name="report"),
    path("figures.xlsx", admin.site.admin_view(spreadsheet_view), name="spreadsheet"),
]
