"""Reusable widgets of the interview screens."""
