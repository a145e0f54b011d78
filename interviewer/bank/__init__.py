"""Question banks: validated rubric data with key points per question."""

from interviewer.bank.loader import load_bank
from interviewer.bank.models import Bank, KeyPoint, Question, RubricFile, RubricQuestion

__all__ = ["Bank", "KeyPoint", "Question", "RubricFile", "RubricQuestion", "load_bank"]
