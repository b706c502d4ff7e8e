"""Utilization reports: per doctor and period (a local day or an ISO week),
the working minutes, the booked minutes and what became of the appointments.

- `utilization`: the rules and the reads (`utilization_report`), the one
  aggregate query over appointments plus working hours and time off;
- `charts`: the admin page's bar charts, drawn as SVG on the server;
- `csv_export`: the CSV answer (one row per doctor and period);
- `serializers`, `views`: `GET /api/v1/reports/utilization` and `….csv`;
- `admin`: the admin's Reports page (`AppointmentAdmin.get_urls` routes it).

API.md's "Reports" section is the contract."""
