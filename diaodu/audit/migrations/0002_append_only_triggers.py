"""Make the audit table append-only in the database itself.

UPDATE and DELETE raise an error unless the one-row gate table ``audit_purge_gate`` is open.
The gate is not a Django model: ordinary code cannot touch it, and only the audit retention purge
(and the test harness's flush) opens it, inside its own transaction.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE TABLE IF NOT EXISTS audit_purge_gate (is_open INTEGER NOT NULL DEFAULT 0)",
    "INSERT INTO audit_purge_gate (is_open) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM audit_purge_gate)",
    """CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能修改 (audit trail is append-only)'); END""",
    """CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
       WHEN (SELECT coalesce(max(is_open), 0) FROM audit_purge_gate) = 0
       BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能删除 (audit trail is append-only)'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
    "DROP TABLE IF EXISTS audit_purge_gate",
]

POSTGRES_FORWARD = [
    "CREATE TABLE IF NOT EXISTS audit_purge_gate (is_open boolean NOT NULL DEFAULT false)",
    "INSERT INTO audit_purge_gate (is_open) SELECT false WHERE NOT EXISTS (SELECT 1 FROM audit_purge_gate)",
    """CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' AND (SELECT bool_or(is_open) FROM audit_purge_gate) THEN
           RETURN OLD;
         END IF;
         RAISE EXCEPTION '审计日志只能追加，不能修改或删除 (audit trail is append-only): %', TG_OP;
       END;
       $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only()""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_auditevent_append_only()",
    "DROP TABLE IF EXISTS audit_purge_gate",
]


def forward(apps, schema_editor):
    statements = POSTGRES_FORWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD
    for sql in statements:
        schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    statements = POSTGRES_BACKWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_BACKWARD
    for sql in statements:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
