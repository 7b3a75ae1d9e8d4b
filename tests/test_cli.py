"""The command line: documentation, exit codes, the README's commands."""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from optimizer.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def invoke(*args, env=None):
    return CliRunner(env=env).invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_documented_with_an_example(name):
    result = invoke(name, "--help", env={"OPTIMIZER_LANG": "en"})
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"optimizer {name}" in result.output


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_documented_in_japanese_with_an_example(name):
    """The default help is Japanese (optimizer.cli.language.command gives it)."""
    if not getattr(cli.commands[name], "help_ja", None):
        pytest.skip(f"{name} has no Japanese help yet (optimizer.cli.language.command)")
    result = invoke(name, "--help", env={"OPTIMIZER_LANG": None})
    assert result.exit_code == 0
    assert "例:" in result.output and "使い方:" in result.output
    assert f"optimizer {name}" in result.output


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"optimizer {name}" in readme, name


def test_readme_has_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, flags=re.S)
    assert any("pip install -e ." in b and "optimizer solve" in b for b in blocks)
    assert any('pip install -e ".[test]"' in b and "pytest" in b for b in blocks)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install -e ".[test]" && python -m pytest' in ci


def test_unknown_option_is_a_usage_error():
    result = CliRunner().invoke(cli, ["solve", "--no-such-option"])
    assert result.exit_code == 2


def test_template_refuses_to_overwrite(tmp_path):
    target = tmp_path / "t.xlsx"
    target.write_bytes(b"keep me")
    result = CliRunner().invoke(cli, ["template", str(target)])
    assert result.exit_code == 7
    assert target.read_bytes() == b"keep me"


@pytest.mark.parametrize(
    "error, code",
    [
        ("ScenarioError('x')", 3),
        ("InfeasibleError('x')", 4),
        ("NoPlanInTimeError('x')", 5),
        ("InputError([])", 3),
        ("CheckError(['x'])", 6),
        ("OutputError('x')", 7),
        ("SolverError('x')", 1),
        ("OptimizerError('x')", 1),
    ],
)
def test_each_error_has_its_exit_code(error, code):
    from optimizer import errors
    from optimizer.cli import exit_code

    assert exit_code(eval(error, vars(errors))) == code


def test_bad_input_exits_3_with_every_problem_listed(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("code,name\n1,x\n", encoding="utf-8")  # a CSV renamed to .xlsx
    result = CliRunner().invoke(cli, ["validate", str(bad), "--lang", "en"])
    assert result.exit_code == 3
    assert "bad.xlsx" in result.output
