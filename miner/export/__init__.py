"""Exports people can open: JSON Lines, CSV, mbox (and, in later modules, DOCX/HTML/Markdown)."""
