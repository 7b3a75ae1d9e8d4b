"""Packaging: the embedded sample inside the package, an installed wheel that runs, and
the permissions of the files the program writes."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest
from click.testing import CliRunner

from optimizer.cli import cli
from optimizer.outputs import files as outputs
from optimizer.sources import sample

ROOT = Path(__file__).resolve().parents[1]
BUILD_FILES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "optimizer", "inputs")
"""What a build of the package reads from the project."""
OFFLINE_SIGNS = (
    "Could not find a version that satisfies",
    "No matching distribution found",
    "NewConnectionError",
    "Network is unreachable",
    "Temporary failure in name resolution",
    "Name or service not known",
    "ProxyError",
    "ConnectTimeout",
    "ReadTimeout",
)
"""pip's words for an index it cannot reach."""

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


@contextlib.contextmanager
def umask(mask: int) -> Iterator[None]:
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --------------------------------------------------------------------------- the sample


def test_in_the_clone_the_sample_is_the_projects_own():
    assert sample.sample_workbook() == ROOT / "inputs" / "sample.xlsx"
    assert sample.SAMPLE_WORKBOOK == sample.sample_workbook()


def test_a_rebuilt_sample_is_written_to_the_project_not_the_package():
    """``inputs/build_sample.py`` writes SAMPLE_WORKBOOK, whether or not it exists yet."""
    assert sample.SAMPLE_WORKBOOK == ROOT / "inputs" / "sample.xlsx"


def test_without_a_clone_the_sample_is_the_packaged_copy(tmp_path, monkeypatch):
    monkeypatch.setattr(sample, "SAMPLE_DIR", tmp_path / "inputs")
    # The clone's package has no copy (only a built wheel does): stand in a file it has.
    monkeypatch.setattr(sample, "PACKAGED_SAMPLE", "sample.py")
    assert sample.sample_workbook().resolve() == Path(sample.__file__).resolve()


def test_without_any_sample_the_clones_path_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(sample, "SAMPLE_DIR", tmp_path / "inputs")
    assert sample.sample_workbook() == tmp_path / "inputs" / "sample.xlsx"


def test_a_folder_named_inputs_elsewhere_is_not_taken_for_the_clone(tmp_path, monkeypatch):
    """An ``inputs/sample.xlsx`` two levels above an installed package (site-packages'
    neighbourhood) is not the project's: the clone has ``pyproject.toml`` beside it."""
    (tmp_path / "inputs").mkdir()
    (tmp_path / "inputs" / "sample.xlsx").write_bytes(b"not ours")
    monkeypatch.setattr(sample, "SAMPLE_DIR", tmp_path / "inputs")
    monkeypatch.setattr(sample, "PACKAGED_SAMPLE", "sample.py")
    assert sample.sample_workbook().resolve() == Path(sample.__file__).resolve()


def test_the_source_distribution_carries_the_sample():
    manifest = (ROOT / "MANIFEST.in").read_text(encoding="utf-8")
    assert "inputs/sample.xlsx" in manifest


# --------------------------------------------------------------------------- file modes


@posix_only
@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o027, 0o640)])
def test_a_written_template_has_the_usual_mode(tmp_path, mask, expected):
    target = tmp_path / "area.xlsx"
    with umask(mask):
        result = CliRunner().invoke(cli, ["template", str(target)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert mode_of(target) == expected


@posix_only
def test_a_writer_that_makes_a_private_file_still_leaves_the_usual_mode(tmp_path):
    """Writers that create their file with ``mkstemp`` (mode 0600) and rename it onto the
    temporary name: the final file gets the mode of any new file there."""
    target = tmp_path / "map.png"
    with umask(0o022), outputs.atomic_path(target) as tmp:
        fd, private = tempfile.mkstemp(dir=tmp_path)
        os.write(fd, b"png")
        os.close(fd)
        assert mode_of(Path(private)) == 0o600
        os.replace(private, tmp)
    assert mode_of(target) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["map.png"]


@posix_only
def test_replacing_a_file_gives_the_usual_mode_not_the_old_one(tmp_path):
    target = tmp_path / "a.csv"
    target.write_bytes(b"old")
    target.chmod(0o600)
    with umask(0o022):
        outputs.atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new" and mode_of(target) == 0o644


# --------------------------------------------------------------------------- the wheel


def _run(command: list[str | Path], timeout: float, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )


def _can_build_without_isolation() -> bool:
    """The current environment holds what the build needs (setuptools ≥ 68 and a
    ``bdist_wheel``: the ``wheel`` package, or setuptools ≥ 70.1 which has its own)."""
    try:
        setuptools = tuple(int(part) for part in version("setuptools").split(".")[:2])
    except Exception:
        return False
    if setuptools < (68, 0):
        return False
    with contextlib.suppress(Exception):
        version("wheel")
        return True
    return setuptools >= (70, 1)


def _build_wheel(tmp_path: Path) -> Path:
    """A wheel of the project, built from a copy of its sources (the clone gets no
    ``build/`` folder); skips when the build's own requirements cannot be had."""
    source = tmp_path / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".*.tmp*")
    for name in BUILD_FILES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=ignore)
        else:
            shutil.copy2(origin, source / name)
    dist = tmp_path / "dist"
    isolated = not _can_build_without_isolation()
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check"]
    if not isolated:
        command.append("--no-build-isolation")
    built = _run([*command, "-w", dist, source], timeout=300)
    if built.returncode != 0:
        output = built.stdout + built.stderr
        if isolated and any(sign in output for sign in OFFLINE_SIGNS):
            pytest.skip(
                "cannot build the wheel: pip cannot fetch setuptools and wheel for the build "
                "(no package index reachable) and this environment lacks them"
            )
        pytest.fail(f"building the wheel failed:\n{output[-4000:]}")
    (wheel,) = dist.glob("facility_sharing_optimizer-*.whl")
    return wheel


def _venv_with(wheel: Path, folder: Path) -> Path:
    """A fresh virtual environment with the wheel installed; the project's dependencies
    come from the current environment's site-packages (a ``.pth`` file, added after the
    install so that pip never sees the current environment's install of the project).
    Returns its ``bin`` (``Scripts``) folder."""
    _run([sys.executable, "-m", "venv", "--without-pip", folder], timeout=120).check_returncode()
    scripts = folder / ("Scripts" if os.name == "nt" else "bin")
    python = scripts / ("python.exe" if os.name == "nt" else "python")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", python]
    installed = _run([*pip, "install", "--no-deps", "--no-index", wheel], timeout=300)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    purelib = _run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], timeout=60
    )
    site_packages = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib.stdout.strip()) / "_current_environment.pth").write_text(
        "".join(f"{path}\n" for path in sorted(site_packages)), encoding="utf-8"
    )
    return scripts


def test_an_installed_wheel_solves_the_embedded_sample(tmp_path):
    """``pip install`` of a built wheel, then ``optimizer solve`` without a workbook, in
    a folder that has nothing of the project: the wheel's own sample is solved."""
    pip_version = tuple(int(part) for part in version("pip").split(".")[:2])
    if pip_version < (22, 3):
        pytest.skip(f"pip {version('pip')} has no --python option (22.3+)")
    started = time.monotonic()
    wheel = _build_wheel(tmp_path)
    scripts = _venv_with(wheel, tmp_path / "venv")
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}

    python = scripts / ("python.exe" if os.name == "nt" else "python")
    where = _run(
        [
            python,
            "-c",
            "import optimizer; from optimizer.sources.sample import sample_workbook; "
            "print(optimizer.__file__); print(sample_workbook())",
        ],
        timeout=120,
        cwd=work,
        env=env,
    )
    assert where.returncode == 0, where.stderr
    package, workbook = (Path(line) for line in where.stdout.split())
    venv = (tmp_path / "venv").resolve()
    assert package.resolve().is_relative_to(venv), package
    assert workbook.resolve().is_relative_to(venv) and workbook.is_file(), workbook

    command = "optimizer.exe" if os.name == "nt" else "optimizer"
    solved = _run(
        [scripts / command, "solve", "--output", "reports"], timeout=600, cwd=work, env=env
    )
    assert solved.returncode == 0, solved.stdout[-2000:] + solved.stderr[-4000:]
    (report,) = (work / "reports").glob("*/report.xlsx")
    assert report.stat().st_size > 0
    if os.name == "posix":
        assert mode_of(report) == 0o666 & ~current_umask()
    print(f"wheel built, installed and solved in {time.monotonic() - started:.1f} s")
