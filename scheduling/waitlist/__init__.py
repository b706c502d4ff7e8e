"""The waitlist (API.md, "Waitlist").

How data moves: `views` (/api/v1/waitlist/) parse with `serializers` and call
`entries.add_entry` / `entries.remove_entry`. When scheduling.services
cancels, deletes or moves a visit still ahead, it calls `offers.slot_of`
before and `offers.offer_slot` after, in its transaction: the oldest matching
entry's client gets the time as an Appointment in status `held` (the
exclusion constraints keep it) and a `WaitlistOffer` row; on commit the email
job (`tasks.send_offer` → `offers.deliver_offer`, `emails`) and the expiry job
(`tasks.expire_offer`) are enqueued. The emailed token answers through
`views.OfferAcceptView` / `OfferDeclineView` (`offers.accept_offer`,
`offers.decline_offer`). `offers.reconcile_offers` runs with the reminders'
periodic reconcile and `manage.py reconcile_reminders`. In the admin (`admin`,
registered by scheduling/admin.py) staff add and remove entries through
`entries`, and "Offer now" calls `offers.offer_now`, which holds the earliest
free time `slots.free_times` finds for the entry and offers it as a freed slot
is. The models live in `models`, imported by scheduling/models.py.
"""
