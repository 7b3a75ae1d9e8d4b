"""A harness for hostile inputs: run the command line as a user would and check how it ends.

Each case runs ``python -m optimizer ...`` in its own process with a time bound and
checks, whatever the input:

* the documented exit code (``optimizer.config.EXIT_CODES``);
* one readable message, in Japanese by default and in English with ``--lang en`` (the
  words each case expects, and never a Python traceback);
* no hang: the process ends within its bound;
* the input unchanged (sha256 of every file given before and after);
* no half-written output: no temporary file left behind, and every run folder either
  complete (with its ``manifest.json``) or named in the message.

The cases themselves live in ``test_hostile_*.py``; they build their inputs with
:mod:`defects` and the helpers here.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from optimizer.config import EXIT_CODES

ROOT = Path(__file__).resolve().parents[1]

TEMPORARY = re.compile(r"\.tmp(?:$|[-.])")
"""Names the atomic writers give files while they write (``.map.1a2b.tmp.png``, ``x.tmp``)."""

DEFAULT_BOUND_S = 120.0
"""No case may take longer than this (a hang fails the case instead of the suite)."""


@dataclass(frozen=True)
class Ended:
    """How one command ended."""

    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def text(self) -> str:
        return self.stdout + self.stderr


def run_cli(
    args: Sequence[str | Path],
    *,
    cwd: Path | None = None,
    bound_s: float = DEFAULT_BOUND_S,
    env: dict[str, str] | None = None,
) -> Ended:
    """Run ``python -m optimizer *args``; a run past ``bound_s`` fails as a hang."""
    words = tuple(str(a) for a in args)
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    environment.pop("OPTIMIZER_DEBUG", None)
    began = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "optimizer", *words],
            cwd=cwd,
            env=environment,
            capture_output=True,
            text=True,
            timeout=bound_s,
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"optimizer {' '.join(words)} hung for more than {bound_s} s") from exc
    return Ended(words, done.returncode, done.stdout, done.stderr, time.perf_counter() - began)


def sha256_of(paths: Iterable[Path]) -> dict[str, str]:
    """sha256 of every file under the given files and folders."""
    found: dict[str, str] = {}
    for path in paths:
        files = (
            sorted(p for p in Path(path).rglob("*") if p.is_file())
            if Path(path).is_dir()
            else [Path(path)]
        )
        for file in files:
            found[str(file)] = hashlib.sha256(file.read_bytes()).hexdigest()
    return found


def assert_ended(
    ended: Ended,
    outcome: str,
    *words: str,
) -> None:
    """The documented exit code for ``outcome``, no traceback, and each of ``words``."""
    expected = EXIT_CODES[outcome]
    assert ended.code == expected, (
        f"optimizer {' '.join(ended.args)} exited {ended.code}, expected {expected} "
        f"({outcome}):\n{ended.text[-3000:]}"
    )
    assert "Traceback" not in ended.text, ended.text[-3000:]
    assert ended.stderr.strip() or ended.stdout.strip(), "no message at all"
    for word in words:
        assert word in ended.text, f"{word!r} not in:\n{ended.text[-3000:]}"


def assert_no_half_written_output(root: Path, ended: Ended | None = None) -> None:
    """No temporary files under ``root``; every run folder complete or named in the message."""
    if not root.exists():
        return
    leftovers = [p for p in root.rglob("*") if TEMPORARY.search(p.name)]
    assert leftovers == [], leftovers
    for folder in (p for p in root.rglob("*") if p.is_dir() and p.name[:8].isdigit()):
        if (folder / "manifest.json").is_file() or folder.name.endswith("-compare"):
            continue
        named = ended is not None and folder.name in ended.text
        assert named, f"incomplete run folder {folder} not named in the message"


def hostile_run(
    args: Sequence[str | Path],
    outcome: str,
    *,
    inputs: Sequence[Path],
    outputs: Path | None = None,
    ja: Sequence[str] = (),
    en: Sequence[str] = (),
    cwd: Path | None = None,
    bound_s: float = DEFAULT_BOUND_S,
    env: dict[str, str] | None = None,
) -> tuple[Ended, Ended | None]:
    """Run a case in Japanese (the default) and, when ``en`` words are given, in English.

    Checks the exit code, the words of each language, that ``inputs`` are unchanged and
    that ``outputs`` holds nothing half-written. Returns both endings.
    """
    before = sha256_of(inputs)
    japanese = run_cli(list(args), cwd=cwd, bound_s=bound_s, env=env)
    assert_ended(japanese, outcome, *ja)
    english = None
    if en:
        english = run_cli([*args, "--lang", "en"], cwd=cwd, bound_s=bound_s, env=env)
        assert_ended(english, outcome, *en)
    assert sha256_of(inputs) == before, "the input was modified"
    if outputs is not None:
        assert_no_half_written_output(outputs, japanese)
        if english is not None:
            assert_no_half_written_output(outputs, english)
    return japanese, english
