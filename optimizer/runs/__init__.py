"""Runs: the pipeline (the stages in order), scenario comparisons, sweeps, scheduled jobs, run folders read back (``load_run``) and the records ``--json`` prints."""
