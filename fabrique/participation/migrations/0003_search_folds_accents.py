from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

# Search ignores accents: « ecole » finds « École », « velo » finds « vélo ». A French text
# search configuration that removes accents before stemming, used by the trigger and the
# queries. The unaccent extension is a trusted one: the database owner may create it.
FORWARD = [
    "CREATE TEXT SEARCH CONFIGURATION public.french_unaccent (COPY = pg_catalog.french)",
    """ALTER TEXT SEARCH CONFIGURATION public.french_unaccent
       ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem""",
    "DROP TRIGGER IF EXISTS contribution_search_vector ON participation_contribution",
    """CREATE TRIGGER contribution_search_vector BEFORE INSERT OR UPDATE OF title, body
       ON participation_contribution FOR EACH ROW
       EXECUTE FUNCTION tsvector_update_trigger(search_vector, 'public.french_unaccent', title, body)""",
    """UPDATE participation_contribution SET search_vector = to_tsvector(
       'public.french_unaccent', coalesce(title, '') || ' ' || coalesce(body, ''))""",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS contribution_search_vector ON participation_contribution",
    """CREATE TRIGGER contribution_search_vector BEFORE INSERT OR UPDATE OF title, body
       ON participation_contribution FOR EACH ROW
       EXECUTE FUNCTION tsvector_update_trigger(search_vector, 'pg_catalog.french', title, body)""",
    """UPDATE participation_contribution SET search_vector = to_tsvector(
       'pg_catalog.french', coalesce(title, '') || ' ' || coalesce(body, ''))""",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS public.french_unaccent",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0002_french_search"),
    ]

    operations = [
        UnaccentExtension(),
        migrations.RunPython(forward, backward),
    ]
