"""`python -m survey.odk`: see `survey.odk.odk_cli`."""

from survey.command_line import run
from survey.odk.odk_cli import main

if __name__ == "__main__":
    run(main)
