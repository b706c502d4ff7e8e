from clinic import document_admin  # noqa: F401
