"""Results: the solver's plan as tables keyed by the user's ids, explanations, the independent check, accounts — no solver."""
