"""``python -m wiretrace`` runs the command line (the same as the ``wiretrace`` script)."""

from wiretrace.cli import main

main()
