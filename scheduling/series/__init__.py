"""Recurring appointment series (API.md, "Recurring series").

How data moves: `views` (POST /api/v1/appointment-series/) parses the request
with `serializers`; `rules.occurrences` checks the RFC 5545 rule and expands
it in the clinic's zone (09:00 local stays 09:00 across daylight-saving
changes); `services.create_series` checks each occurrence with
`scheduling.services.new_booking` and saves them all in one transaction with
`scheduling.services.save_booking`, each in a savepoint so every conflict is
found, and rolls everything back when one is (409 `series_conflict`).
`services.cancel_series` cancels the scheduled or confirmed occurrences from a
moment on through `scheduling.services.cancel_appointment`. The admin's
"Cancel this and following" (`admin`) calls the same service. The model lives
in `models` and is imported by scheduling/models.py.
"""
