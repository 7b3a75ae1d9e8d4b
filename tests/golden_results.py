"""Golden results: the figures of a reference case that a change must not move unseen.

``python tests/golden_results.py`` writes ``tests/golden/sample.json`` afresh from a
solve of the embedded sample at its own settings; run it only when a change of the
plan is intended, and say why in the commit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden" / "sample.json"
SAMPLE = HERE.parent / "inputs" / "sample.xlsx"
DECISIONS = ("keep", "close", "build", "not_built")


def figures(solution) -> dict:
    """Objective, bound, gap and the decisions per type of a solved plan."""
    facilities = solution.facilities
    counts = {
        kind: {d: int((group["decision"] == d).sum()) for d in DECISIONS}
        for kind, group in facilities.groupby("type", sort=True)
    }
    outcome = solution.outcome
    return {
        "objective": round(float(solution.objective), 2),
        "bound": round(float(outcome.bound), 2),
        "gap": float(outcome.gap),
        "status": str(outcome.status),
        "decisions": counts,
        "agreements": len(solution.agreements),
    }


def solve_sample():
    from optimizer.solving.solve import solve_problem
    from optimizer.workbook.assemble import load_problem

    problem, _ = load_problem(SAMPLE)
    return solve_problem(problem, processes=1)


def main() -> int:
    GOLDEN.parent.mkdir(exist_ok=True)
    text = json.dumps(figures(solve_sample()), indent=2, ensure_ascii=False) + "\n"
    GOLDEN.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    sys.exit(main())
