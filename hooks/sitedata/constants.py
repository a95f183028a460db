"""The one copy of each constant more than one layer needs: where the project is, its clock, the names of days and months.

Constants the browser's scripts need as well (the open-now labels, the hours' age policy) reach them
through the data the build emits (sitedata.views.browser_constants writes site-constants.js), never by copying
them into JavaScript by hand.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_DIR = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_DIR / "data"
SCHEMA_DIR = DATA_DIR / "schema"
TEMPLATE_DIR = PROJECT_DIR / "overrides" / "partials" / "data"
NODE_MODULES = PROJECT_DIR / "node_modules"

TIMEZONE = "Europe/London"
LONDON = ZoneInfo(TIMEZONE)

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
