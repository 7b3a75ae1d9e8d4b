"""The problem: ProblemData, facility costs, distances and arcs, policy rules — no I/O, no solver."""
