"""Load and fault tests against CivicDesk served as in production (gunicorn and the task worker).

`python -m loadtest.run --help`, or `make load`; docs/DEPLOYMENT.md ("Load and fault tests")
says what is measured and what the figures were.
"""
