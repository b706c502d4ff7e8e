"""Documents attached to a client's record (API.md, "Documents").

How data moves: an upload reaches `views.DocumentUploadView`, which counts the
bytes as they arrive; `services.store_document` streams them through
`records.encrypt_upload` (size and type checked by `content`, each chunk sealed
with the field key) into a temporary file, saves that to `storage` under a
random name, and only then writes the `Document` row and its audit event (a
failure deletes the file: no half-written record). A download is the reverse:
`services.read_document` audits the view, `records.decrypt` streams the
plaintext chunk by chunk. `admin` lists, downloads, archives and restores
through the same services; `rotate_field_keys` re-seals every file under the
newest key (`services.rotate_document_keys`).
"""
