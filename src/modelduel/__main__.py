"""`python -m modelduel`."""

from modelduel.cli import main

main()
