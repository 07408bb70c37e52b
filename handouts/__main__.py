"""`python -m handouts` runs the command line."""

from handouts.cli import main

main()
