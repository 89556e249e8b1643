"""`python -m timeline`: the same command line as `timeline`."""

from timeline.cli import main

main()
