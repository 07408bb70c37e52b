"""Run the handouts command line from a checkout: `python cli.py build`."""

from handouts.cli import main

if __name__ == "__main__":
    main()
