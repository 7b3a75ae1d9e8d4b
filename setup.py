"""The one build step pyproject.toml cannot state: the embedded sample in the wheel.

``inputs/sample.xlsx`` (built from ``inputs/sample/`` by ``inputs/build_sample.py``) is
the sample's one source and stays at the top of the project. Building the package copies
it to ``optimizer/sources/sample.xlsx`` in the build folder, so a wheel carries it as
package data and ``optimizer solve`` finds it after ``pip install`` (see
``optimizer.sources.sample.sample_workbook``). An editable install reads the project's
own ``inputs/`` instead and gets no copy. Everything else of the build is in
pyproject.toml; MANIFEST.in puts the sample into the source distribution.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SAMPLE = Path(__file__).resolve().parent / "inputs" / "sample.xlsx"
PACKAGED = ("optimizer", "sources", "sample.xlsx")


class BuildPyWithSample(build_py):
    """``build_py``, plus the sample workbook copied into ``optimizer/sources/``."""

    def _packaged_sample(self) -> Path:
        return Path(self.build_lib, *PACKAGED)

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        if not SAMPLE.is_file():
            raise FileNotFoundError(
                f"{SAMPLE} is missing: build it with `python inputs/build_sample.py` first"
            )
        target = self._packaged_sample()
        self.mkpath(str(target.parent))
        self.copy_file(str(SAMPLE), str(target))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = super().get_outputs(include_bytecode)
        if getattr(self, "editable_mode", False):
            return outputs
        return [*outputs, str(self._packaged_sample())]


setup(cmdclass={"build_py": BuildPyWithSample})
