"""`python -m survey.traffic import FILE... | report | bench`: the website traffic from the command line."""

from survey.command_line import run
from survey.traffic.cli import main

if __name__ == "__main__":
    run(main)
