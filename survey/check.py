"""`python -m survey.check`: check a data folder's store (see :mod:`survey.store.integrity`)."""

from survey.command_line import run
from survey.store.integrity import main

if __name__ == "__main__":
    run(main)
