"""The `cassbot` command line."""
