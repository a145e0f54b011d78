"""The Textual interview: start, question, feedback and summary screens over `interviewer.practice`.

Only this package imports Textual. `interviewer.tui.app.create_app` is the one app factory.
"""
