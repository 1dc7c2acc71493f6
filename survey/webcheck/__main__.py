"""`python -m survey.webcheck`: see `survey.webcheck.webcheck_cli`."""

from survey.webcheck.webcheck_cli import entry

if __name__ == "__main__":
    entry()
