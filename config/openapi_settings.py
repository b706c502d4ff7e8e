"""drf-spectacular's settings (SPECTACULAR_SETTINGS in config/settings.py): fixed,
nothing read from the environment."""

SPECTACULAR_SETTINGS = {
    "TITLE": "Clinic API",
    "DESCRIPTION": "Patients, appointments and reminders for a clinic. See API.md for the contract.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc from drf-spectacular-sidecar's static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Paths stay whole (/api/v1/...) under a relative server, so "Try it out"
    # and generated clients call the host that served the schema.
    "SERVERS": [{"url": "/"}],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "TAGS": [
        {"name": "auth", "description": "Sign-up, sign-in, tokens and passwords"},
        {"name": "users", "description": "Users and your own profile"},
        {"name": "doctors", "description": "Doctors, their availability, working hours and time off"},
        {"name": "clients", "description": "Client (patient) records"},
        {"name": "documents", "description": "Files on a client's record"},
        {"name": "appointments", "description": "Booking and the visit's status flow"},
        {"name": "calendar", "description": "iCalendar export and subscription"},
        {"name": "audit", "description": "Audit trail (admins)"},
        {"name": "reports", "description": "Utilization per doctor and period (JSON or CSV)"},
    ],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.openapi.shape_for_clients",
        "config.openapi.document_error_responses",
        "accounts.schema.document_mfa_enrollment",
    ],
}
