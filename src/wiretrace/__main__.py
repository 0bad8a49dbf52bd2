"""``python -m wiretrace`` runs the command line (the same as the ``wiretrace`` script)."""

from wiretrace.cli import main

# The guard matters for worker processes started with "spawn", which re-import this module.
if __name__ == "__main__":
    main()
