"""Entry point for `python -m sitedata`."""

from __future__ import annotations

import sys

from sitedata.cli import main

sys.exit(main())
