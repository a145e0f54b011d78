"""interviewer: a terminal mock-interview coach that grades answers against key points."""

__version__ = "0.1.0"
