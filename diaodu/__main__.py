"""`python -m diaodu ...` is the same as the `diaodu` console script."""

from diaodu.cli import main

main()
