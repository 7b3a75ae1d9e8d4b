"""``python -m optimizer``: the same command line as ``optimizer``."""

from optimizer.cli import main

main()
