"""The project's own web site: the built chat widget under /widget/, a demo page, the privacy notice."""

from bot.site.app import create_app

__all__ = ["create_app"]
