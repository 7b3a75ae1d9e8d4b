"""What the sheets of the report share: sheet names, decision and status labels, fills."""

from __future__ import annotations

__all__ = [
    "SHEET_NAMES",
    "OPTIONAL_SHEETS",
    "DECISIONS",
    "STATUS_JA",
    "BOUND_FILL",
    "status_value",
    "yen_words",
]

SHEET_NAMES = {
    "summary": "概要 Summary",
    "map": "地図 Map",
    "charts": "グラフ Charts",
    "renewal": "更新費用推移 Renewal",
    "renewal_data": "更新費用データ Renewal data",
    "outlook": "人口見通し Outlook",
    "schedule": "更新スケジュール Schedule",
    "municipalities": "市町村別 Municipalities",
    "allocation": "負担方式 Allocation",
    "facilities": "施設別 Facilities",
    "service": "サービス水準 Service levels",
    "closures": "廃止施設 Closures",
    "closure_steps": "廃止手続 Closure steps",
    "agreements": "協約 Agreements",
    "payments": "負担金 Payments",
    "alternatives": "代替案 Alternatives",
    "sensitivity": "感度分析 Sensitivity",
    "assumptions": "前提 Assumptions",
}
"""Sheet key → sheet name, in reading order. A sheet holds one table that may run over
several printed pages, so that the header rows repeated on each page are that table's."""
OPTIONAL_SHEETS = ("renewal_data", "alternatives", "sensitivity")
"""Sheets written only when the run has their content (``--alternatives K``)."""

DECISIONS = {
    "keep": ("存続", "#E2EFDA"),
    "build": ("新設", "#DDEBF7"),
    "close": ("廃止", "#F2F2F2"),
    "not_built": ("新設しない", "#FFFFFF"),
}
"""Decision → (Japanese label, cell fill)."""

STATUS_JA = {
    "optimal": "最適解",
    "feasible": "実行可能解（最適性は未証明）",
    "time_limit": "時間制限で停止（実行可能解）",
    "not_solved": "未求解",
    "infeasible": "実行不能",
    "unbounded": "非有界",
    "error": "エラー",
}
"""Solver status → Japanese words."""

BOUND_FILL = "#FFF2CC"
"""Fill of a bound (the stand-alone cost) and of a parameter changed from its default."""


def status_value(outcome: object) -> str:
    """The solver status of an outcome as text (``optimal``, ``feasible``, ...)."""
    status = getattr(outcome, "status", "")
    return str(getattr(status, "value", status))


def yen_words(value: float) -> str:
    """Yen in words for sentences: 12.3億円 / 4,560万円, △ for negatives."""
    sign = "△" if value < 0 else ""
    value = abs(value)
    if value >= 1e8:
        return f"{sign}{value / 1e8:,.1f}億円"
    return f"{sign}{value / 1e4:,.0f}万円"
