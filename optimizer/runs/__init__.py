"""Runs: the pipeline (the stages in order), scenario comparisons, sweeps and scheduled jobs."""
