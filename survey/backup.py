"""`python -m survey.backup`: back up a data folder (see :mod:`survey.store.backups`)."""

from survey.command_line import run
from survey.store.backups import main

if __name__ == "__main__":
    run(main)
