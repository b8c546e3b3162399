"""Synthesis: topics (versions and edits), near-duplicates, opinion maps, reports.

One module per part; every model is importable from here.
"""

from .duplicates import DuplicateCluster, DuplicateScan
from .opinion import OpinionActivity, OpinionComputation, Statement, StatementVote
from .report import ReferenceShare, Report
from .topics import Synthesis, Topic, TopicEdit, TopicMembership

__all__ = [
    "DuplicateCluster",
    "DuplicateScan",
    "OpinionActivity",
    "OpinionComputation",
    "ReferenceShare",
    "Report",
    "Statement",
    "StatementVote",
    "Synthesis",
    "Topic",
    "TopicEdit",
    "TopicMembership",
]
