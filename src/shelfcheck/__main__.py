"""``python -m shelfcheck`` runs the command line."""

from shelfcheck.cli.main import main

main()
