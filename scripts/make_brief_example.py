"""Make docs/brief.png, the briefing map shown in the README.

    python scripts/make_brief_example.py

Same as ``python -m dashboard brief --preset ua-border-oblasts --rings 75,90
--marking UNCLASSIFIED -o docs/brief.png`` with ``SOURCE_DATE_EPOCH`` fixed (the
morning after the strike), so the file is byte-for-byte reproducible.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from dashboard.cli import main as cli_main

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1668589200")  # 2022-11-16T09:00:00Z, next morning
    out = ROOT / "docs" / "brief.png"
    sys.exit(cli_main(["brief", "--preset", "ua-border-oblasts", "--rings", "75,90", "--marking", "UNCLASSIFIED",
                       "-o", str(out), *sys.argv[1:]]))
