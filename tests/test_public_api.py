"""The package's public names are pinned and each one resolves."""

import optimizer

PINNED = [
    "Allocation",
    "Issue",
    "Override",
    "Parameters",
    "ProblemData",
    "Rules",
    "RunRecord",
    "RunResult",
    "RunSettings",
    "Solution",
    "SolveOutcome",
    "SolverSettings",
    "Status",
    "__version__",
    "access_arcs",
    "agreement_terms",
    "allocate",
    "apply_overrides",
    "assemble_problem",
    "check_solution",
    "coalition_cost",
    "draw_map",
    "format_issues",
    "load_problem",
    "load_run",
    "parse_assignment",
    "problem_from_tables",
    "read_tables",
    "run",
    "solve_problem",
    "standalone_costs",
    "write_agreements",
    "write_report",
    "write_template",
    "write_workbook",
]


def test_public_names_are_pinned():
    assert optimizer.__all__ == PINNED


def test_every_public_name_resolves():
    for name in optimizer.__all__:
        assert getattr(optimizer, name) is not None, name


def test_unknown_name_is_an_attribute_error():
    try:
        optimizer.no_such_thing  # noqa: B018
    except AttributeError as error:
        assert "no_such_thing" in str(error)
    else:
        raise AssertionError("expected AttributeError")
