"""`python -m survey.simulate`: see `survey.simulate.cli`."""

from survey.simulate.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
