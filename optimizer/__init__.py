"""Facility-sharing optimiser for Japanese municipalities (連携協約による公共施設の共同利用).

The library behind the ``optimizer`` command. The stages of a run, each usable alone::

    from optimizer import load_problem, solve_problem, allocate, run

    problem, warnings = load_problem("inputs/sample.xlsx")   # read + validate
    solution = solve_problem(problem)                        # plan, checked
    allocation = allocate(problem, solution)                 # who pays what
    result = run("inputs/sample.xlsx")                       # everything, to a run folder
    record = load_run(result.folder)                         # a run folder read back

Names are loaded on first use, so ``import optimizer`` stays light.
"""

from importlib import import_module

__version__ = "0.1.0"

_EXPORTS = {
    "ProblemData": "problem.data",
    "Parameters": "problem.data",
    "Rules": "problem.data",
    "assemble_problem": "problem.data",
    "read_tables": "workbook.reader",
    "write_workbook": "outputs.workbooks",
    "load_problem": "workbook.assemble",
    "problem_from_tables": "workbook.assemble",
    "format_issues": "workbook.messages",
    "Issue": "workbook.messages",
    "write_template": "outputs.workbooks",
    "Override": "workbook.scenarios",
    "apply_overrides": "workbook.scenarios",
    "parse_assignment": "workbook.scenarios",
    "access_arcs": "problem.network",
    "SolverSettings": "solving.solve",
    "SolveOutcome": "solving.solve",
    "Status": "solving.solve",
    "solve_problem": "solving.solve",
    "standalone_costs": "solving.standalone",
    "coalition_cost": "solving.standalone",
    "Solution": "results.solution",
    "check_solution": "results.check",
    "Allocation": "sharing.allocation",
    "allocate": "sharing.allocation",
    "agreement_terms": "sharing.terms",
    "write_agreements": "outputs.documents",
    "write_report": "outputs.report",
    "draw_map": "outputs.maps",
    "RunSettings": "config",
    "RunResult": "runs.pipeline",
    "run": "runs.pipeline",
    "RunRecord": "runs.load",
    "load_run": "runs.load",
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
