"""`python -m survey.users`: accounts from the command line.

The code lives in :mod:`survey.fieldwork.accounts`; ``from survey.users import Accounts``
keeps working for scripts.
"""

from survey.fieldwork.accounts import ROLES, AccountError, Accounts, main

__all__ = ["ROLES", "AccountError", "Accounts", "main"]

if __name__ == "__main__":
    raise SystemExit(main())
