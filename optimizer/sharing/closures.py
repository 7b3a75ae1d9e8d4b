"""What closing a facility takes: a checklist of the legal steps, one row per facility.

The plan closes some municipal facilities (``decision == "close"``). Closing a public
facility (公の施設) is not an administrative act alone; each closure has to settle:

ordinance
    The facility was established by ordinance (Local Autonomy Act art. 244-2(1)): the
    ordinance is repealed, or amended where one ordinance lists several facilities.
special_majority
    Only where the municipality's ordinance designates the facility as especially
    important: its abolition needs two thirds of the members present (art. 244-2(2)).
    Where no ordinance designates it, a simple majority suffices.
subsidy_property
    A building built with a national (or prefectural) subsidy may not be demolished,
    converted or sold within its restriction period without the approval of the
    ministry that granted it (補助金等に係る予算の執行の適正化に関する法律 art. 22).
residents_notice
    Residents learn when it closes, where to go instead and how.

:func:`closure_checklist` returns the table (Japanese by default, or English): the
report shows it and the area summary document lists it. The facts come from
:func:`optimizer.sharing.terms.closed_facilities`; the wording here is the checklist's.
This module never imports PuLP.
"""

from __future__ import annotations

import pandas as pd

from optimizer.problem.data import ProblemData
from optimizer.results.solution import Solution
from optimizer.sharing.terms import ClosedFacility, closed_facilities

__all__ = ["STEPS", "CHECKLIST_COLUMNS", "closure_checklist", "checklist_rows"]

STEPS: dict[str, tuple[str, str]] = {
    "ordinance": ("設置条例の廃止・改正", "Establishment ordinance"),
    "special_majority": ("特別多数議決（第244条の2第2項）", "Two-thirds majority (art. 244-2(2))"),
    "subsidy_property": ("補助金で整備した財産の処分", "Subsidised property"),
    "residents_notice": ("住民への周知", "Notice to residents"),
}
"""The steps of a closure, each one column of the checklist: (Japanese, English) heading."""

CHECKLIST_COLUMNS: dict[str, tuple[str, str]] = {
    "facility": ("施設ID", "Facility id"),
    "name": ("施設名", "Facility"),
    "host": ("団体コード", "Code"),
    "host_name": ("設置団体", "Host"),
    "type": ("種類コード", "Type code"),
    "type_name": ("施設の種類", "Type"),
    "year_built": ("建築年", "Year built"),
    "age_years": ("築年数", "Age [years]"),
    "replacements": ("代わりに利用する施設", "Used instead"),
    **STEPS,
}
"""Every column of :func:`closure_checklist`, in order: (Japanese, English) heading."""


def _list(items: tuple[tuple[str, str], ...], language: str, most: int = 3) -> str:
    """Up to ``most`` facilities as ``name（host）``, and how many more."""
    if not items:
        return "計画上なし（未充足）" if language == "ja" else "none in the plan (unserved)"
    shown = [
        f"{name}（{host}）" if language == "ja" else f"{name} ({host})" for name, host in items
    ]
    text = ("、" if language == "ja" else "; ").join(shown[:most])
    rest = len(shown) - most
    if rest > 0:
        text += f"ほか{rest}施設" if language == "ja" else f" and {rest} more"
    return text


def _steps_ja(c: ClosedFacility) -> dict[str, str]:
    instead = _list(c.replacements, "ja")
    if c.year_built is None:
        age = "建築年が入力にないため、公有財産台帳で確認する。"
    else:
        age = f"{c.year_built}年建築（計画の初年度に築{c.age_years}年）。"
    return {
        "ordinance": (
            f"{c.host_name}が{c.name}の設置及び管理について定める条例（地方自治法第244条の2"
            "第1項）を廃止する。複数の施設を一つの条例で定めているときは、その別表等から"
            f"{c.name}を削る改正とする。施行日は、住民が代わりの施設（{instead}）を利用"
            "できる日以後とする。"
        ),
        "special_majority": (
            f"{c.host_name}の条例が{c.name}を特に重要な公の施設として定めている場合に限り、"
            "廃止には議会の出席議員の3分の2以上の同意を要する（地方自治法第244条の2第2項）。"
            "重要な公の施設を定める条例の有無と、その条例に本施設が掲げられているかを確認する。"
            "掲げられていなければ、通常の議決（過半数）による。"
        ),
        "subsidy_property": (
            f"{age}国の補助金等を受けて整備した建物を処分制限期間内に取り壊し、転用し、"
            "又は譲渡するときは、補助金等を交付した各省各庁の長の承認を要する（補助金等に係る"
            "予算の執行の適正化に関する法律第22条）。整備時の補助の有無、処分制限期間（補助事業"
            "ごとに定められ、建物は多くの場合、減価償却資産の耐用年数による）及び国庫納付の要否を"
            "所管省庁に確認する。都道府県の補助金は、その交付要綱の定めによる。"
        ),
        "residents_notice": (
            f"廃止の時期、代わりに利用する施設（{instead}）、その利用の方法及び使用料、経過措置を、"
            "廃止の相当期間前から広報紙、ウェブサイト、説明会等で周知する。予約や登録のある利用者、"
            "現に入所し又は継続して利用している者には個別に知らせ、移行先を調整する。"
        ),
    }


def _steps_en(c: ClosedFacility) -> dict[str, str]:
    instead = _list(c.replacements, "en")
    if c.year_built is None:
        age = "The input gives no year of building: check the asset register. "
    else:
        age = f"Built in {c.year_built} ({c.age_years} years old in the plan's first year). "
    return {
        "ordinance": (
            f"Repeal the ordinance by which {c.host_name} established and manages {c.name} "
            "(Local Autonomy Act art. 244-2(1)); where one ordinance lists several facilities, "
            f"amend it to strike out {c.name}. It takes effect no earlier than the day "
            f"residents can use the facilities that replace it ({instead})."
        ),
        "special_majority": (
            f"Only if an ordinance of {c.host_name} designates {c.name} as an especially "
            "important public facility does its abolition need the consent of two thirds of "
            "the council members present (art. 244-2(2)). Check whether such an ordinance "
            "exists and lists this facility; if not, an ordinary majority suffices."
        ),
        "subsidy_property": (
            f"{age}A building built with a national subsidy may be demolished, converted or "
            "sold within its restriction period only with the approval of the ministry that "
            "granted the subsidy (Act on Regulation of Execution of Budget Pertaining to "
            "Subsidies, art. 22). Check with the ministry whether it was subsidised, the "
            "restriction period (set per subsidy; for buildings usually their statutory "
            "useful life) and whether part of the subsidy must be repaid. Prefectural "
            "subsidies follow their own grant rules."
        ),
        "residents_notice": (
            f"Tell residents, well before it closes, when it closes, which facilities to use "
            f"instead ({instead}), how and at what fees, and the transitional arrangements "
            "(newsletter, website, meetings); tell registered users and anyone admitted or "
            "using it regularly individually and arrange where they go."
        ),
    }


def checklist_rows(closed: tuple[ClosedFacility, ...], language: str = "ja") -> list[dict]:
    """One dict per closed facility with every column of :data:`CHECKLIST_COLUMNS`."""
    if language not in ("ja", "en"):
        raise ValueError(f"closure checklist language must be ja or en, not {language!r}")
    rows = []
    for c in closed:
        steps = _steps_ja(c) if language == "ja" else _steps_en(c)
        rows.append(
            {
                "facility": c.facility,
                "name": c.name,
                "host": c.host,
                "host_name": c.host_name,
                "type": c.type,
                "type_name": c.type_name_ja if language == "ja" else c.type_name_en,
                "year_built": c.year_built,
                "age_years": c.age_years,
                "replacements": _list(c.replacements, language, most=len(c.replacements)),
                **steps,
            }
        )
    return rows


def closure_checklist(
    problem: ProblemData, solution: Solution, language: str = "ja"
) -> pd.DataFrame:
    """The steps each closure of the plan takes, one row per closed facility.

    Columns :data:`CHECKLIST_COLUMNS` (``facility``, ``name``, ``host``, ``host_name``,
    ``type``, ``type_name``, ``year_built``, ``age_years``, ``replacements``, then one
    column per step of :data:`STEPS` saying what to check), in ``language`` (``ja`` or
    ``en``); no rows when the plan closes nothing. ``year_built`` and ``age_years`` are
    nullable integers.
    """
    rows = checklist_rows(closed_facilities(problem, solution), language)
    table = pd.DataFrame(rows, columns=list(CHECKLIST_COLUMNS))
    for column in ("year_built", "age_years"):
        table[column] = table[column].astype("Int64")
    return table
