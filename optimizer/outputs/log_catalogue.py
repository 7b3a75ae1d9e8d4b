"""The Japanese of the package's log records, looked up by their English template.

Modules log in English with a ``%``-template (``log.info("stage %s", name)``); a log
written in Japanese (``run.log``, ``job.log``, the command line's warnings with
``--lang ja``, the default) formats the Japanese template of :data:`JAPANESE` with the
same arguments (:class:`optimizer.outputs.files.LogFormatter`), the way gettext looks a
message up by its English text. A record whose message is an
:class:`optimizer.texts.Text` carries its own Japanese instead, and one whose template
is not here stays English.

``tests/test_language.py`` checks that every template the package logs is here: a new
``log.…("…")`` call needs its line below.
"""

from __future__ import annotations

import logging

from optimizer.errors import OptimizerError
from optimizer.results.outcome import Status
from optimizer.texts import Text, in_language

__all__ = ["JAPANESE", "LEVELS_JA", "record_text"]

LEVELS_JA = {
    "DEBUG": "デバッグ",
    "INFO": "情報",
    "WARNING": "警告",
    "ERROR": "エラー",
    "CRITICAL": "重大",
}
"""The level names of a Japanese log."""

JAPANESE: dict[str, str] = {
    # runs: the pipeline and scheduled jobs
    "stage %s": "段階: %s",
    "input %s (sha256 %s)": "入力 %s（sha256 %s）",
    "boundaries %s (sha256 %s)": "境界データ %s（sha256 %s）",
    "run stopped: %s: %s": "実行が止まりました: %s: %s",
    "removed the empty run folder %s": "空の実行フォルダ %s を削除しました",
    "the run stopped: its folder %s is incomplete, without manifest.json": (
        "実行が途中で止まりました。実行フォルダ %s は未完了です（manifest.json なし）"
    ),
    "only %d distinct alternative(s) exist": "異なる代替案は %d 件しかありません",
    "unserved: %s %s, %.6g units: %s": "充足できない需要: %s %s、%.6g 単位: %s",
    "not proven optimal within the limits: %s, gap %.3g": (
        "制限内で最適性を証明できませんでした: %s、ギャップ %.3g"
    ),
    "input changed since the previous run: %s (sha256 %s, was %s)": (
        "前回の実行から入力が変わりました: %s（sha256 %s、前回 %s）"
    ),
    "scenario %s: %s, folder %s": "シナリオ %s: %s、フォルダ %s",
    "%s: %s": "%s: %s",
    "%s": "%s",
    "internal error in scenario %s": "シナリオ %s で内部エラーが発生しました",
    "bad input: %s": "入力の誤り: %s",
    "  %s": "  %s",
    "job %s started (input %s)": "ジョブ %s を開始しました（入力 %s）",
    "incomplete run folder (an interrupted run): %s": "未完了の実行フォルダ（中断された実行）: %s",
    "job done: %s (exit code %d)": "ジョブ終了: %s（終了コード %d）",
    "internal error": "内部エラー",
    "sensitivity %s × %g: %s": "感度分析 %s × %g: %s",
    # outputs
    "run folder %s": "実行フォルダ %s",
    "wrote %d agreement file(s) to %s": "協約の文書 %d 件を %s に書き出しました",
    "%s is not a document template (expected one of %s); ignored": (
        "%s は文書のテンプレートではありません（%s のいずれかのはずです）。無視します"
    ),
    "document template %s from %s": "文書のテンプレート %s を %s から使います",
    "removed old run %s": "古い実行 %s を削除しました",
    "not pruning %s: it is a symbolic link": "%s はシンボリックリンクのため削除しません",
    "could not remove old run %s: %s": "古い実行 %s を削除できませんでした: %s",
    "no feature of %s has the code of a municipality of the input (%s): "
    "the map shows the zones' outlines instead": (
        "%s には入力の市町村（%s）のコードを持つ地物がありません。"
        "地図には代わりに区域の輪郭を描きます"
    ),
    "%s has no boundary of %s: the map outlines their zones instead": (
        "%s には %s の境界がありません。地図には代わりに区域の輪郭を描きます"
    ),
    "map written: %s": "地図を書き出しました: %s",
    "renewal chart written: %s": "更新費用のグラフを書き出しました: %s",
    "report written: %s (%d bytes)": "報告書を書き出しました: %s（%d バイト）",
    # solving and sharing
    "model built in %.2f s: %d facilities, %d arcs, %d agreement pairs, %d rows": (
        "モデル構築 %.2f 秒: 施設 %d、利用経路 %d、協約の組 %d、制約 %d 行"
    ),
    "starting plan uses arcs outside the model; not used": (
        "初期解がモデルにない利用経路を使うため、使いません"
    ),
    "the unfair plan's decisions, flows solved again: %s": (
        "公平でない計画の施設方針のまま利用の流れを解き直しました: %s"
    ),
    "solved: %s (%s), objective %.6g, gap %.3g, %.2f s": (
        "求解: %s（%s）、目的関数 %.6g、ギャップ %.3g、%.2f 秒"
    ),
    "fairness rows added for %d municipalities; solving again": (
        "%d 市町村の公平性の制約を加えて解き直します"
    ),
    "polish: %d one-way rules, cost %.6g yen/year": (
        "利用の流れの整理: 一方向の規則 %d 件、費用 %.6g 円/年"
    ),
    "polish: keeping the solver's plan": "利用の流れの整理: ソルバーの計画をそのまま使います",
    "polish: no plan with the decisions fixed (%s)": (
        "利用の流れの整理: 施設方針を固定した計画がありません（%s）"
    ),
    "polish: step 2 found no plan (%s); keeping step 1": (
        "利用の流れの整理: 第 2 段階で計画が見つからず（%s）、第 1 段階の計画を使います"
    ),
    "polish: the exact flows cost more than the plan's (a time limit)": (
        "利用の流れの整理: 正確な流れの費用が計画の費用を上回りました（時間制限のため）"
    ),
    "polish: %s did not serve as many; trying without": (
        "利用の流れの整理: %s では同じだけ充足できないため、外して試します"
    ),
    "HiGHS answered %s from its presolve alone (no LP solved); solving again with presolve off": (
        "HiGHS が前処理だけで %s と答えました（LP を解いていません）。前処理なしで解き直します"
    ),
    "HiGHS answered Optimal without solving an LP; reported as not proven": (
        "HiGHS が LP を解かずに最適と答えたため、最適性は未証明として報告します"
    ),
    "coalition %s: %s, gap %.3g": "提携 %s: %s、ギャップ %.3g",
    "progress report failed; no more reports": "進行状況を表示できないため、以後は表示しません",
    "cluster start: %d groups, %.6g yen/year": "近隣のまとまりによる初期解: %d 組、%.6g 円/年",
    "cluster start: no plan for %s; not used": (
        "近隣のまとまりによる初期解: %s の計画がないため使いません"
    ),
    "no further distinct plan after %d": "%d 件より後に異なる計画はありません",
    "alternative %d not found: %s": "代替案 %d が見つかりません: %s",
    "Shapley value not computed: %s": "シャープレイ値は計算できませんでした: %s",
    "evaluating %d coalition(s) with %s process(es)": "提携 %d 通りの費用を %s プロセスで計算します",
    # inputs and sources
    "%d distance(s) did not converge; using the great-circle distance": (
        "距離 %d 件の計算が収束しないため、大円距離を使います"
    ),
    "%d access arcs": "利用経路 %d 本",
    "ignoring table %r: not a sheet of the schema": "表 %r は入力の様式にないため無視します",
    "file %s is not an input sheet; ignored": "ファイル %s は入力シートではないため無視します",
    "sheet %r is not an input sheet; ignored": "シート %r は入力シートではないため無視します",
    "not written (not sheets of the schema): %s": "書き出していません（入力の様式にないシート）: %s",
    "Tama case: %d facilities (%s); operators %s; %d zones": (
        "多摩の事例: 施設 %d（%s）、運営主体 %s、区域 %d"
    ),
    "validator: %s": "入力の検査: %s",
    "geocoded %r: %s": "住所 %r の位置: %s",
    "geocode cache %s is unreadable (%s); starting a new one": (
        "位置の記録 %s が読めないため（%s）、新しく作ります"
    ),
    "geocoder unreachable: %s": "住所検索サービスに接続できません: %s",
}
"""English template → Japanese template, with the same ``%`` fields in the same order."""


def record_text(record: logging.LogRecord, language: str = "en") -> str:
    """A log record's message in ``language``.

    In Japanese: a :class:`optimizer.texts.Text` message says itself in Japanese; a
    plain English template is looked up in :data:`JAPANESE` English when it is not there); and the arguments that know their Japanese
    (a ``Text``, one of our errors) give it. In English: the message as logged."""
    if language != "ja":
        return record.getMessage()
    args = record.args
    if isinstance(args, tuple):
        args = tuple(_argument_in_japanese(a) for a in args)
    message = record.msg
    if not isinstance(message, Text) and isinstance(message, str) and message in JAPANESE:
        message = Text(message, JAPANESE[message])
    try:
        return in_language(message, "ja", args)
    except (TypeError, ValueError, KeyError):  # a template that does not fit its arguments
        return record.getMessage()


def _argument_in_japanese(value: object) -> object:
    """An argument of a record in Japanese, when it knows its Japanese."""
    if isinstance(value, Text):
        return value.ja
    if isinstance(value, (OptimizerError, Status)):
        return value.text("ja")
    return value
