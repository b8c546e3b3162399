"""Errors of the topic engine, with a French message the web layer can show as it is."""

from __future__ import annotations


class TopicInputError(ValueError):
    """The texts or the parameters given cannot be grouped (no text, a number of topics < 1…).

    ``str(error)`` is a French sentence meant for the person who asked for the grouping.
    """
