"""The plan dashboard: a Teams tab (personal and team) served by the bot's own aiohttp app.

routes.py mounts it; access.py finds who is looking (Teams SSO through entra.py, the session of
session.py, or the local developer sign-in); pages.py renders the pages from the services and
storage read models; security.py sets the headers every tab response carries.
"""
