"""The interview's screens: start, resume offer, question, feedback, summary."""
