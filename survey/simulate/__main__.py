"""`python -m survey.simulate`: see `survey.simulate.simulate_cli`."""

from survey.simulate.simulate_cli import main

if __name__ == "__main__":
    raise SystemExit(main())
