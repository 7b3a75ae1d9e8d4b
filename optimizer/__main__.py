"""``python -m optimizer``: the same command line as ``optimizer``."""

from .cli import main

main()
