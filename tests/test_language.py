"""Japanese throughout: help, Click's own words, progress, logs and type names follow the
language (``--lang``, else ``OPTIMIZER_LANG``, else Japanese)."""

from __future__ import annotations

import ast
import gettext
import json
import logging
import pickle
import re
import unicodedata
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from small_area import sample_tables, write_small_area

from optimizer.cli import cli
from optimizer.cli.language import (
    CLICK_JA,
    click_text,
    elapsed_text,
    language_in_args,
    use_language,
    wrap_line,
)
from optimizer.errors import InputError
from optimizer.outputs.files import LogFormatter
from optimizer.outputs.log_catalogue import JAPANESE
from optimizer.outputs.summary import input_summary
from optimizer.runs.jobs import read_job, run_job
from optimizer.solving import solver as solver_module
from optimizer.solving.solve import solve_problem
from optimizer.texts import Text, in_language
from optimizer.workbook.assemble import load_problem
from optimizer.workbook.scenarios import apply_overrides, parse_assignment

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "optimizer"
QUICK = ["--shapley", "off", "--processes", "1"]
ELAPSED = re.compile(r"^… \[ *\d+\.\d(秒| s)\] ", re.MULTILINE)


def invoke(*args: object, lang: str | None = None):
    """The command line in this process, with ``OPTIMIZER_LANG`` set to ``lang`` (or unset)."""
    runner = CliRunner(env={"OPTIMIZER_LANG": lang})
    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False, prog_name="optimizer")


@pytest.fixture(scope="module")
def area(tmp_path_factory) -> Path:
    return write_small_area(tmp_path_factory.mktemp("input") / "area.xlsx")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# --------------------------------------------------------------------------- help


def test_solve_help_is_japanese_by_default():
    result = invoke("solve", "--help")
    assert result.exit_code == 0
    for words in (
        "使い方: optimizer solve",
        "オプション:",
        "例:",
        "このヘルプを表示して終了します。",
    ):
        assert words in result.output
    assert "ソルバーの制限時間 [秒]。" in result.output
    assert "Usage:" not in result.output and "Show this message" not in result.output


@pytest.mark.parametrize(
    "args, env",
    [
        (["solve", "--help", "--lang", "en"], None),  # --help is eager: before --lang
        (["solve", "--lang=en", "--help"], None),
        (["solve", "--help"], "en"),
        (["solve", "--help"], "EN"),
    ],
)
def test_solve_help_is_english_on_request(args, env):
    result = invoke(*args, lang=env)
    assert result.exit_code == 0
    for words in ("Usage: optimizer solve", "Options:", "Example:", "Show this message and exit."):
        assert words in result.output
    assert "Solver time limit [s]." in result.output
    assert "使い方" not in result.output


def test_lang_wins_over_the_environment():
    assert "使い方:" in invoke("solve", "--help", "--lang", "ja", lang="en").output
    assert "Usage:" in invoke("solve", "--help", "--lang", "en", lang="ja").output


def test_the_language_is_chosen_anew_at_each_invocation_in_one_process():
    """Nothing is frozen at import or at the first invocation: Click makes --help once."""
    for lang, words, other in [
        ("ja", "このヘルプを表示して終了します。", "Show this message"),
        ("en", "Show this message and exit.", "このヘルプ"),
        ("ja", "このヘルプを表示して終了します。", "Show this message"),
    ]:
        for args in (["--help"], ["solve", "--help"], ["run-job", "--help"]):
            output = invoke(*args, lang=lang).output
            assert words in output and other not in output, (lang, args)


def test_group_help_lists_the_commands_in_the_language():
    ja = invoke("--help").output
    assert "コマンド:" in ja and "入力用の白紙のワークブックを書き出します" in ja
    assert "バージョンを表示して終了します。" in ja
    en = invoke("--help", lang="en").output
    assert "Commands:" in en and "Write a blank input workbook to fill in." in en


def test_japanese_help_fits_the_width_and_keeps_examples_whole():
    """Wrapped by display width (CliRunner's is 80 columns; a closing 、。 may hang)."""
    output = invoke("solve", "--help").output
    options = output.split("オプション:")[1]
    assert all(_width(line) <= 82 for line in options.splitlines()), options
    assert "optimizer solve --set facility_types.図書館.max_distance_km=5 --set" in output


def test_wrapping_breaks_between_kanji_never_before_closing_punctuation():
    lines = wrap_line("図書館、文化ホール、介護施設。" * 4, 20)
    assert all(_width(line) <= 22 for line in lines)
    assert not any(line[0] in "、。" for line in lines)
    assert "".join(lines) == "図書館、文化ホール、介護施設。" * 4


# --------------------------------------------------------------------------- Click's words


def test_a_usage_error_is_japanese_by_default():
    result = invoke("solve", "--no-such-option")
    assert result.exit_code == 2
    assert "エラー: '--no-such-option' というオプションはありません。" in result.output
    assert "使い方: optimizer solve" in result.output
    assert "'optimizer solve --help' でヘルプを表示できます。" in result.output


def test_usage_errors_in_english_on_request():
    result = invoke("solve", "--no-such-option", "--lang", "en")
    assert result.exit_code == 2
    assert "Error: No such option '--no-such-option'." in result.output
    result = invoke("template", lang="en")
    assert "Error: Missing argument 'PATH'." in result.output


@pytest.mark.parametrize(
    "args, words",
    [
        (["template"], "エラー: 次の引数がありません: 'PATH'"),
        (["solve", "--shapley", "never"], "'never' は 'auto', 'exact', 'sampled', 'off' のいずれ"),
        (["solve", "--time-limit", "0"], "0.0 は範囲 x>0 の外です"),
        (["solve", "--time-limit", "nan"], "nan は有限の数ではありません"),
        (["solve", "nowhere.xlsx"], "'nowhere.xlsx' がありません"),
        (["sovle"], "'sovle' というコマンドはありません。 'solve' のことですか？"),
    ],
)
def test_click_usage_errors_in_japanese(args, words):
    result = invoke(*args)
    assert result.exit_code == 2
    assert words in result.output


def test_click_catalogue_matches_the_installed_click():
    """Every Japanese entry translates a string Click still asks gettext for, and the
    strings of help pages and usage errors all have their Japanese."""
    asked = set()
    for path in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id in ("_", "ngettext"):
                    asked |= {a.value for a in node.args if isinstance(a, ast.Constant)}
    asked.add("required")  # asked as _(extra["required"])
    assert set(CLICK_JA) - asked == set()
    for msgid in (
        "Usage:",
        "Options",
        "Commands",
        "Show this message and exit.",
        "Error: {message}",
        "Try '{command} {option}' for help.",
        "No such option {name!r}.",
        "Missing argument",
        "Invalid value for {param_hint}: {message}",
        "{value!r} is not one of {choices}.",
        "Got unexpected extra argument ({args})",
    ):
        assert msgid in CLICK_JA, msgid


def test_click_text_defers_to_gettext_outside_japanese():
    with use_language("en"):
        assert click_text("Usage:") == gettext.gettext("Usage:")
    with use_language("ja"):
        assert click_text("Usage:") == "使い方:"
        assert click_text("a string Click never asks for") == "a string Click never asks for"


def test_language_in_args():
    assert language_in_args(["solve", "--help", "--lang", "en"]) == "en"
    assert language_in_args(["solve", "--lang=EN"]) == "en"
    assert language_in_args(["solve", "--lang", "fr"]) is None
    assert language_in_args(["solve", "--", "--lang", "en"]) is None
    assert language_in_args(["solve", "--lang"]) is None


# --------------------------------------------------------------------------- texts and logs


def test_text_is_its_english_and_carries_its_japanese():
    text = Text("stand-alone %d/%d", "単独 %d/%d")
    assert text == "stand-alone %d/%d" and isinstance(text, str)
    assert in_language(text, "ja", (1, 9)) == "単独 1/9"
    assert in_language(text, "en", (1, 9)) == "stand-alone 1/9"
    assert in_language("plain", "ja") == "plain"
    again = pickle.loads(pickle.dumps(text))
    assert again == text and again.ja == text.ja


def test_elapsed_text():
    assert elapsed_text(3.21, "ja") == "[   3.2秒]"
    assert elapsed_text(3.21, "en") == "[   3.2 s]"
    assert elapsed_text(125, "ja") == "[ 2分05秒]"
    assert elapsed_text(125, "en") == "[ 2 min 05 s]"


def _logged_templates() -> list[tuple[str, str]]:
    """(module, template) of every ``log.<level>("literal", ...)`` of the package."""
    found = []
    levels = {"debug", "info", "warning", "error", "exception", "critical"}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in levels
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in ("log", "logger")
                and node.args
            ):
                first = node.args[0]
                options = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
                for option in options:
                    if isinstance(option, ast.Constant) and isinstance(option.value, str):
                        found.append((str(path.relative_to(ROOT)), option.value))
    return found


def test_every_logged_template_has_its_japanese():
    """run.log, job.log and the warnings are Japanese by default: a new log message
    needs its line in optimizer/outputs/log_catalogue.py."""
    templates = _logged_templates()
    assert len(templates) > 40
    missing = sorted(
        {f"{module}: {template!r}" for module, template in templates if template not in JAPANESE}
    )
    assert not missing, "\n".join(missing)
    fields = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdgfr]")
    for english, japanese in JAPANESE.items():
        assert fields.findall(english) == fields.findall(japanese), english


def test_the_log_formatter_writes_either_language():
    def record(msg, *args, level=logging.WARNING):
        return logging.LogRecord("optimizer.x", level, __file__, 1, msg, args, None)

    ja = LogFormatter("%(levelname)s %(message)s", language="ja")
    en = LogFormatter("%(levelname)s %(message)s")
    assert ja.format(record("stage %s", Text("solve", "求解"), level=logging.INFO)) == (
        "情報 段階: 求解"
    )
    assert en.format(record("stage %s", Text("solve", "求解"), level=logging.INFO)) == (
        "INFO stage solve"
    )
    assert ja.format(record(Text("a\nb", "あ\nい"))) == "警告 あ\\nい"  # still one line
    assert ja.format(record("not in the catalogue %d", 3)) == "警告 not in the catalogue 3"
    error = InputError([], "bad", ja="誤り")
    assert ja.format(record("%s: %s", Text("x", "エックス"), error)) == "警告 エックス: 誤り"


# --------------------------------------------------------------------------- runs


def test_solve_progress_names_municipalities_with_the_time_and_logs_in_japanese(tmp_path, area):
    result = invoke("solve", area, "--output", tmp_path, *QUICK)
    assert result.exit_code == 0, result.output
    progress = result.stderr
    assert len(ELAPSED.findall(progress)) >= 10, progress
    assert re.search(r"単独の場合の費用 1/4: 青梅市（13205）", progress), progress
    assert "モデルの構築と求解" in progress and "計画（最適）" in progress
    assert "警告 optimizer.runs.pipeline:" in progress  # the workbook's warning, in Japanese
    assert "図書館" in result.stdout and "解の状態: 最適" in result.stdout
    (log,) = tmp_path.glob("*/run.log")
    text = log.read_text(encoding="utf-8")
    assert "情報" in text and "段階: 求解" in text and "モデル構築" in text
    assert "stage solve" not in text


def test_solve_progress_and_log_in_english(tmp_path, area):
    result = invoke("solve", area, "--output", tmp_path, *QUICK, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert re.search(r"^… \[ *\d+\.\d s\] stand-alone 1/4: 青梅市 \(13205\)$", result.stderr, re.M)
    assert "library" in result.stdout and "Solver status: optimal" in result.stdout
    (log,) = tmp_path.glob("*/run.log")
    text = log.read_text(encoding="utf-8")
    assert "INFO" in text and "stage solve" in text and "段階" not in text


def test_the_solve_reports_best_cost_and_bound_while_it_runs(area, monkeypatch):
    """Every few seconds (here: at every MIP callback) of the main solve, the best
    plan's cost and the bound; the plan is the same with or without the reports."""
    problem, _ = load_problem(area)
    monkeypatch.setattr(solver_module, "PROGRESS_EVERY_S", 0.0)
    said: list[str] = []
    reported = solve_problem(problem, processes=1, progress=said.append)
    during = [m for m in said if m.startswith("solving: ")]
    assert during, said
    assert re.match(r"solving: best plan [\d,]+ yen/year, bound ([\d,]+|-) yen/year", during[-1])
    assert all(isinstance(m, Text) and m.ja.startswith("求解中: ") for m in during)
    monkeypatch.setattr(solver_module, "PROGRESS_EVERY_S", 5.0)
    quiet = solve_problem(problem, processes=1)
    assert reported.objective == quiet.objective
    assert reported.facilities["open"].equals(quiet.facilities["open"])


def test_a_failing_progress_never_stops_the_solve(area, monkeypatch):
    problem, _ = load_problem(area)
    monkeypatch.setattr(solver_module, "PROGRESS_EVERY_S", 0.0)

    def broken(message: str) -> None:
        if message.startswith("solving: "):
            raise BrokenPipeError("the terminal went away")

    assert solve_problem(problem, processes=1, progress=broken).outcome.status.has_plan


def test_job_log_follows_the_language(tmp_path, area):
    job = tmp_path / "job.toml"
    lines = [f"input = {json.dumps(str(area))}", 'output = "out"', 'shapley = "off"']
    job.write_text("\n".join([*lines, "documents = false", "processes = 1"]) + "\n", "utf-8")
    assert read_job(job).language == "ja"
    assert read_job(job, "en").language == "en"  # OPTIMIZER_LANG when the file names none
    assert run_job(job) == 0
    text = (tmp_path / "out" / "job.log").read_text(encoding="utf-8")
    assert "ジョブ終了: 正常（終了コード 0）" in text and "job done" not in text
    job.write_text(job.read_text("utf-8") + 'language = "en"\n', "utf-8")
    assert read_job(job, "ja").language == "en"  # the file's own language wins


# --------------------------------------------------------------------------- type names


def _with_japanese_type_names(path: Path) -> Path:
    tables = sample_tables()
    for sheet in ("facilities", "candidates"):
        tables[sheet]["type"] = tables[sheet]["type"].replace({"library": "図書館"})
    tables["candidates"].loc[tables["candidates"].index[0], "type"] = " 図書館 "
    return write_small_area(path, tables=tables)


def test_a_type_may_be_named_by_its_japanese_name(tmp_path, area):
    problem, _ = load_problem(_with_japanese_type_names(tmp_path / "ja-types.xlsx"))
    reference, _ = load_problem(area)
    assert set(problem.facilities["type"]) == {"library", "hall", "care"}
    assert problem.facilities["type"].equals(reference.facilities["type"])
    changed = apply_overrides(
        problem, [parse_assignment("facility_types.図書館.max_distance_km=5")]
    )
    assert changed.facility_types.at["library", "max_distance_km"] == 5
    kept = apply_overrides(problem, [parse_assignment("rules.keep_own=13205,文化ホール")])
    assert ("13205", "hall") in kept.rules.keep_own
    assert "図書館" in input_summary(problem, "ja") and "library" in input_summary(problem, "en")


def test_japanese_type_names_on_the_command_line(tmp_path, area):
    workbook = _with_japanese_type_names(tmp_path / "ja-types.xlsx")
    assert invoke("validate", workbook).exit_code == 0
    result = invoke(
        "solve",
        area,
        "--output",
        tmp_path,
        *QUICK,
        "-q",
        "--set",
        "facility_types.図書館.max_distance_km=12",
    )
    assert result.exit_code == 0, result.output
    (manifest,) = tmp_path.glob("*/manifest.json")
    overrides = json.loads(manifest.read_text(encoding="utf-8"))["overrides"]
    assert overrides == ["facility_types.図書館.max_distance_km=12 (command line)"]


def test_an_unknown_japanese_type_name_is_still_an_error(tmp_path):
    tables = sample_tables()
    tables["facilities"]["type"] = tables["facilities"]["type"].replace({"library": "美術館"})
    with pytest.raises(InputError) as caught:
        load_problem(write_small_area(tmp_path / "bad.xlsx", tables=tables))
    assert any(issue.code == "unknown_type" for issue in caught.value.issues)
