"""The matching engine: needs and resources as plain records in, ranked candidates with
reasons and whole-list assignments out. No Django here; the lists app adapts its models."""

from wulian.matching.engine import Candidate, Engine, assign
from wulian.matching.flow import Assigned, Assignment, AssignmentError
from wulian.matching.reasons import LANGS, Reason, render_reason
from wulian.matching.records import Availability, NeedRecord, ProviderRecord, ResourceRecord
from wulian.matching.score import DEFAULT_WEIGHTS, Weights
from wulian.matching.text import normalise, warm_up

__all__ = [
    "DEFAULT_WEIGHTS",
    "LANGS",
    "Assigned",
    "Assignment",
    "AssignmentError",
    "Availability",
    "Candidate",
    "Engine",
    "NeedRecord",
    "ProviderRecord",
    "Reason",
    "ResourceRecord",
    "Weights",
    "assign",
    "normalise",
    "render_reason",
    "warm_up",
]
