"""`python -m sop_cli` runs the same entry point as the `sop` script."""

from sop_cli.entry import main

main()
