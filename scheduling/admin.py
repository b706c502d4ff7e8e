from scheduling import reminder_admin  # noqa: F401
