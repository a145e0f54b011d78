"""LLM rubric grading over any OpenAI-compatible chat-completions server, alone ("llm") or with embeddings ("hybrid").

Imports of the openai client happen when a client is built, not at import.
"""

from interviewer.grading.llm.assessment import PROMPT_VERSION, LLMAssessment
from interviewer.grading.llm.client import LLMClient, LLMFault
from interviewer.grading.llm.factory import build_llm_client, build_llm_grader
from interviewer.grading.llm.graders import HybridGrader, LLMRubricGrader

__all__ = [
    "PROMPT_VERSION",
    "HybridGrader",
    "LLMAssessment",
    "LLMClient",
    "LLMFault",
    "LLMRubricGrader",
    "build_llm_client",
    "build_llm_grader",
]
