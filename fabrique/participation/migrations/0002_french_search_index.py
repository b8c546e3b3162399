from django.db import migrations

# The same expression as selectors.search_vector(): PostgreSQL uses the index for the
# French full-text search. SQLite has no such index; its search is a plain substring match.
CREATE = """
CREATE INDEX IF NOT EXISTS contribution_search_fr ON participation_contribution
USING gin (to_tsvector('french'::regconfig, COALESCE("title", '') || ' ' || COALESCE("body", '')))
"""
DROP = "DROP INDEX IF EXISTS contribution_search_fr"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("participation", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
