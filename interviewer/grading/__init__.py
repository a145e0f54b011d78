"""Grading answers against key points. Never imports Textual."""
