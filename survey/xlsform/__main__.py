"""`python -m survey.xlsform`: see `survey.xlsform.xlsform_cli`."""

from survey.command_line import run
from survey.xlsform.xlsform_cli import main

if __name__ == "__main__":
    run(main)
