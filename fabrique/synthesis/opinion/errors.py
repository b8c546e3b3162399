"""The one error of the opinion engine, worded in French for the people who run a consultation.

The engine is called from a background task whose failure is shown to staff as is, so the
message says what is missing in the votes (and how many there are), not which array was empty.
"""

from __future__ import annotations


class OpinionInputError(ValueError):
    """The votes cannot make an opinion map: malformed, or too few to form groups."""
