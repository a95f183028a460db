"""Browser tests: Playwright driving Debian's Chromium against the built site (see harness.py)."""
