"""The officials' panel at /panel: accounts with roles, server-side sessions, CSRF, and the
route table that says which permission every page needs (see `cassbot.panel.roles`)."""
