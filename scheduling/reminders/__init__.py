"""Appointment reminders and the appointment emails (API.md, "Reminders").

How data moves: the booking services (scheduling/services.py) call
`services.schedule_reminders` / `move_reminders` / `cancel_reminders` inside
their transaction, so the `Reminder` rows (the source of truth) change with the
appointment; on commit, `services` enqueues one RQ job per row at its time.
The worker (`worker.ReminderWorker`, run by `manage.py rqworker`) calls
`tasks.send_reminder`, which hands the id to `delivery.deliver_reminder`: it
locks the row, sends the email (scheduling/emails.py) and marks it sent in one
transaction, so a reminder goes out once however many jobs exist for it. When
Redis loses jobs, `services.reconcile_reminders` (every few minutes from the
worker, or `manage.py reconcile_reminders`) enqueues what is missing. Staff
see the rows through `views` (the API) and `admin`; `metrics` puts their counts
on /metrics, and config/queue_health.py watches the queue and the workers.
"""
