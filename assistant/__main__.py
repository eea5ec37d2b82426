"""``python -m assistant`` runs the ``mrm3`` command line."""

from assistant.cli import main

main()
