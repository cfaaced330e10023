"""``python -m dashboard``: see :mod:`dashboard.cli`."""
from dashboard.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
