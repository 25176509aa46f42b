"""Joining and leaving the CASS groups: the CASS-Registro form, review, admission, rosters,
complaints, suggestions, appeals and the privacy duties that come with personal data.

The feature is installed by `cassbot.registration.feature.install_registration`; this package
init stays import-light because `cassbot.settings` imports `cassbot.registration.settings`.
"""
