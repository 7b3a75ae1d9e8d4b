"""Facility-sharing optimiser for Japanese municipalities (連携協約による公共施設の共同利用).

The library behind the ``optimizer`` command. The stages of a run, each usable alone::

    from optimizer import load_problem, solve_problem, allocate, run

    problem, warnings = load_problem("inputs/sample.xlsx")   # read + validate
    solution = solve_problem(problem)                        # plan, checked
    allocation = allocate(problem, solution)                 # who pays what
    result = run("inputs/sample.xlsx")                       # everything, to a run folder

Names are loaded on first use, so ``import optimizer`` stays light.
"""

from importlib import import_module

__version__ = "0.1.0"

_EXPORTS = {
    "ProblemData": "data",
    "Parameters": "data",
    "Rules": "data",
    "assemble_problem": "data",
    "read_tables": "workbook",
    "write_workbook": "workbook",
    "load_problem": "validate",
    "problem_from_tables": "validate",
    "format_issues": "validate",
    "Issue": "validate",
    "write_template": "template",
    "Override": "scenarios",
    "apply_overrides": "scenarios",
    "parse_assignment": "scenarios",
    "access_arcs": "network",
    "SolverSettings": "solve",
    "SolveOutcome": "solve",
    "Status": "solve",
    "solve_problem": "solve",
    "standalone_costs": "standalone",
    "coalition_cost": "standalone",
    "Solution": "solution",
    "check_solution": "check",
    "Allocation": "allocation",
    "allocate": "allocation",
    "agreement_terms": "terms",
    "write_agreements": "documents",
    "write_report": "report",
    "draw_map": "maps",
    "RunSettings": "config",
    "RunResult": "pipeline",
    "run": "pipeline",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'optimizer' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
