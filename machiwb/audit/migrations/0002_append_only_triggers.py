"""Make the audit log append-only in the database itself, not only in the ORM.

UPDATE is refused on every backend. DELETE of single rows is refused on PostgreSQL
(TRUNCATE, used by test-database resets and deliberate maintenance, is not a row delete).
SQLite keeps row DELETE possible because Django's test flush empties tables with it.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION audit_auditentry_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditentry_no_update BEFORE UPDATE OR DELETE ON audit_auditentry
  FOR EACH ROW EXECUTE FUNCTION audit_auditentry_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS audit_auditentry_no_update ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_auditentry_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER audit_auditentry_no_update BEFORE UPDATE ON audit_auditentry
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS audit_auditentry_no_update;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
