"""Scheduled jobs: the job file, the output lock, retention."""

import multiprocessing
import time

import pytest

from optimizer.errors import LockedError, ScenarioError
from optimizer.outputs.job_folder import output_lock, prune, run_folders
from optimizer.runs.jobs import read_job


def write_job(tmp_path, text: str):
    path = tmp_path / "job.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_job_file_paths_are_relative_to_it(tmp_path):
    job = read_job(
        write_job(
            tmp_path,
            'input = "in.xlsx"\noutput = "out"\nkeep = 3\n'
            '[solver]\ntime_limit_s = 10\n[set]\n"parameters.mip_gap" = 0.01\n',
        )
    )
    assert job.input == tmp_path / "in.xlsx"
    assert job.output == tmp_path / "out"
    assert job.keep == 3
    assert job.scenarios == ("base",)
    assert job.solver == {"time_limit_s": 10}
    assert job.overrides == ("parameters.mip_gap=0.01",)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ('output = "out"\n', "'input'"),
        ('input = "a"\noutput = "b"\ninptu = 1\n', "unknown key(s) inptu"),
        ('input = "a"\noutput = "b"\nkeep = -1\n', "'keep'"),
        ('input = "a"\noutput = "b"\n[solver]\ntimelimit = 3\n', "[solver]"),
        ('input = "a"\noutput = \n', "cannot read"),
    ],
)
def test_bad_job_files_are_named(tmp_path, text, fragment):
    with pytest.raises(ScenarioError) as raised:
        read_job(write_job(tmp_path, text))
    assert fragment in str(raised.value)


def _hold_lock(folder, ready, seconds):
    with output_lock(folder):
        ready.set()
        time.sleep(seconds)


def test_second_holder_of_the_lock_is_refused_then_admitted(tmp_path):
    ready = multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_lock, args=(tmp_path, ready, 1.0))
    holder.start()
    assert ready.wait(10)
    with pytest.raises(LockedError):
        with output_lock(tmp_path, wait_s=0.1):
            pass
    start = time.monotonic()
    with output_lock(tmp_path, wait_s=10):  # waits for the holder to let go
        waited = time.monotonic() - start
    holder.join()
    assert waited > 0.3


def make_run(root, name):
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text("{}", encoding="utf-8")
    return folder


def test_prune_keeps_the_newest_completed_runs_only(tmp_path):
    names = ["20260101-030000-base", "20260201-030000-base", "20260301-030000-base"]
    for name in names:
        make_run(tmp_path, name)
    unfinished = tmp_path / "20260401-030000-base"
    unfinished.mkdir()  # no manifest: not a completed run, never touched
    other = tmp_path / "notes"
    other.mkdir()
    removed = prune(tmp_path, keep=2)
    assert [p.name for p in removed] == names[:1]
    assert [p.name for p in run_folders(tmp_path)] == names[1:]
    assert unfinished.is_dir() and other.is_dir()
    assert prune(tmp_path, keep=0) == []
