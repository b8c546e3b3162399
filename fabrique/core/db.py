"""Database helpers shared by the apps."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db.backends.signals import connection_created
from django.db.models import Func, TextField


def fold(text: str | None) -> str | None:
    """Lower case without accents: « École » → « ecole »."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class Fold(Func):
    """``fold()`` in SQL. PostgreSQL's search folds accents itself (its own text search
    configuration); this serves the embedded SQLite database, where it is registered below."""

    function = "fabrique_fold"
    output_field = TextField()


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("fabrique_fold", 1, fold, deterministic=True)


connection_created.connect(register_sqlite_functions)
