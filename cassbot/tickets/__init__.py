"""Service requests: tickets with folios, officials' commands, two clocks, duplicates,
announcements, the public transparency page and the Open311 GeoReport v2 read API.

`cassbot.tickets.feature.install_tickets` installs it all on the app; this package's
`__init__` stays empty so `cassbot.settings` can import `cassbot.tickets.settings` cheaply.
"""
