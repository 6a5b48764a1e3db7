"""The audit trail is deliberately not in the admin: it is append-only and read through the audit page
(``audit:list``), which only the audit administrator may open."""
