"""The user's deep-learning seed bank as tests see it: where it is, what it holds, what mojibake looks like."""

from __future__ import annotations

import re

from tests.conftest import REPO_ROOT

# Next to the repo locally (/work/shared/seed) and in CI (<repo>/../shared/seed); tests skip without it.
SEED = REPO_ROOT.parent / "shared" / "seed" / "000_01e8062734852163.txt"
SEED_TOPICS = [
    "Neural Network Basics",
    "Backpropagation",
    "Activation Functions",
    "Regularization",
    "Optimization",
    "Architectures",
]
SEED_IDS = [f"{topic}.{number}" for topic in range(1, 7) for number in range(1, 4)]
RUBRIC_FILE_NAMES = [
    "01-neural-network-basics.yaml",
    "02-backpropagation.yaml",
    "03-activation-functions.yaml",
    "04-regularization.yaml",
    "05-optimization.yaml",
    "06-architectures.yaml",
]

# Lead bytes of 2- and 3-byte UTF-8 sequences as cp1252 shows them (the seed is full of them),
# ftfy's guess for a lost byte (₠), the replacement character and C1 control characters.
MOJIBAKE = re.compile(r"Ã|Â|â€|â†|â‚|âˆ|â‰|Î|Ï|Ì|áµ|ðŸ|₠|\ufffd|[\x80-\x9f]")


def mojibake_in(text: str) -> list[str]:
    """The suspicious sequences in a text, with a little context each."""
    return [text[max(0, match.start() - 10) : match.end() + 10] for match in MOJIBAKE.finditer(text)]
