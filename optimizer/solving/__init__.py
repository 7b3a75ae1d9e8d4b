"""Solving: the integer program, the solver adapter, the solve, stand-alone and coalition costs, alternatives."""
