"""Rebuild inputs/sample.xlsx from inputs/sample/*.csv (same as ``python -m optimizer.sources.sample``)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizer.sources.sample import main  # noqa: E402

if __name__ == "__main__":
    main(sys.argv[1:])
