"""Synthesis: topics (versions and edits), near-duplicates, opinion maps, reports.

One module per part; every model is importable from here.
"""

from .topics import DuplicateGroup, Synthesis, Topic, TopicEdit, TopicMembership

__all__ = ["DuplicateGroup", "Synthesis", "Topic", "TopicEdit", "TopicMembership"]
