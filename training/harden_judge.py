"""Second training stage for the key-point judge: `python -m training.harden_judge [--focus SOURCE]`.

The first judge (`training.train_judge`) learned that a statement sharing a key point's words contradicts
it: every near-copy it saw was a rewrite (a negation added, a term swapped), labelled contradicted, while
its entailed statements were paraphrases in other words. Read against itself, a key point got entailed
0.09 on average, and a key point containing "not" was read as contradicting itself one time in two.

This stage continues the shipped weights (LoRA adapters, segment vectors, head) for one pass over the
focus pairs of the training questions (`own-words`: each key point against itself, behind a filler opening,
and against its own negation or term swap, `augment.own_words_pairs`; `short-form`: each key point against its
own and other key points' short forms, `pairs.short_form_pairs`; `voiced`: each key point against correct and
wrong statements in the voices answers are written in, `pairs.voiced_pairs`) mixed with a replay sample of the first
stage's pairs, so the judge keeps what it knew. Same split by question as the first stage, seed 13. It
measures the starting judge and the result on the same held-out pairs (a fixed sample of the validation
and test questions), refits the temperature on the validation sample, and writes `best/` and
`metrics.json` (with `--replay-targets teacher` the replayed pairs learn the starting judge's probabilities
and the temperature is not refit). Measured and not shipped on all three focuses (docs/grading.md, "Hard
positives", "Short forms" and "Voiced statements").
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from interviewer.grading.embedding import load_sentence_transformer
from interviewer.grading.judge import JUDGE_DIR
from interviewer.grading.judge_network import JudgeNetwork, load_network, save_network, softmax
from training.pairs import VOICED, Pair, all_pairs, balanced_by_label, three_way_split
from training.train_judge import (
    BATCH,
    SEED,
    WORK_DIR,
    StateCache,
    batches,
    class_weights,
    fit_temperature,
    optimiser_for,
    predict,
    report,
    set_seed,
    train_step,
    warmup_then_decay,
)

OWN_WORDS = "own-words"
SHORT_FORM = "short-form"
LATER_SOURCES = (OWN_WORDS, SHORT_FORM, VOICED)
"""Pair sources added after the first stage: a second stage trains on one of them, and replays none."""


def identity_readings(logits: np.ndarray, pairs: list[Pair], temperature: float) -> dict:
    """Mean probabilities of the held-out key points read against themselves, and how often they look
    contradicted (>= 0.35, the grader's threshold). `logits` are the network's for `pairs`."""
    own = np.array([pair.source == f"{OWN_WORDS}:identity" for pair in pairs])
    if not own.any():
        return {}
    probabilities = softmax(torch.from_numpy(logits[own] / temperature))
    return {
        "pairs": int(own.sum()),
        "entailed": round(float(probabilities[:, 0].mean()), 3),
        "contradicted": round(float(probabilities[:, 1].mean()), 3),
        "contradicted_at_0.35": round(float((probabilities[:, 1] >= 0.35).mean()), 3),
    }


def focus_readings(logits: np.ndarray, pairs: list[Pair], focus: str, temperature: float) -> dict:
    """Per source of the focus (e.g. `short-form:own`, `short-form:sibling`): mean probabilities of its held-out
    pairs, and how often they read as entailed (>= 0.5)."""
    readings = {}
    for source in sorted({pair.source for pair in pairs if pair.source.startswith(focus)}):
        chosen = np.array([pair.source == source for pair in pairs])
        probabilities = softmax(torch.from_numpy(logits[chosen] / temperature))
        readings[source] = {
            "pairs": int(chosen.sum()),
            "entailed": round(float(probabilities[:, 0].mean()), 3),
            "contradicted": round(float(probabilities[:, 1].mean()), 3),
            "neutral": round(float(probabilities[:, 2].mean()), 3),
            "entailed_at_0.5": round(float((probabilities[:, 0] >= 0.5).mean()), 3),
        }
    return readings


def measure(
    network: JudgeNetwork,
    name: str,
    held: dict[str, list[Pair]],
    cache: StateCache,
    temperature: float,
    focus: str,
) -> dict:
    """Scores on each held-out part: all pairs, the first stage's kinds only, the focus pairs, and the key points
    against themselves."""
    numbers = {}
    for part, pairs in held.items():
        logits = predict(network, pairs, cache)
        earlier = [index for index, pair in enumerate(pairs) if not pair.source.startswith(LATER_SOURCES)]
        numbers[part] = {
            "all": report(logits, pairs, temperature),
            "first_stage_kinds": report(logits[earlier], [pairs[index] for index in earlier], temperature),
            "focus": focus_readings(logits, pairs, focus, temperature),
            "identity": identity_readings(logits, pairs, temperature),
        }
    print(name, json.dumps(numbers), flush=True)
    return numbers


def harden(args: argparse.Namespace) -> None:
    set_seed(SEED)
    torch.set_num_threads(args.threads)
    rng = random.Random(SEED)
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    pairs = all_pairs(seed=SEED)
    training, validation, test = three_way_split(pairs)
    own = [pair for pair in training if pair.source.startswith(args.focus)]
    if args.balance_focus:
        own = balanced_by_label(own)
    earlier = [pair for pair in training if not pair.source.startswith(LATER_SOURCES)]
    replay = rng.sample(earlier, min(args.replay, len(earlier)))
    mixed = own * args.passes + replay
    held = {
        "validation": rng.sample(validation, min(args.held_out, len(validation))),
        "test": rng.sample(test, min(args.held_out, len(test))),
    }
    print(
        f"train: {len(own)} {args.focus} pairs + {len(replay)} replayed; held out: validation 1 in "
        f"{len(validation) // len(held['validation'])}, test 1 in {len(test) // len(held['test'])}"
    )
    print("train labels:", dict(Counter(pair.label for pair in mixed)), flush=True)

    embedder = load_sentence_transformer()
    network = load_network(Path(args.start), embedder.transformer, merge=False)
    starting_temperature = network.config.temperature
    network.config = replace(network.config, temperature=1.0)
    cache = StateCache(network.config)
    started = time.perf_counter()
    cache.fill(mixed + held["validation"] + held["test"], embedder, WORK_DIR / f"states-split{network.config.split}.pt")
    print(
        f"encoded {len(cache.key_points)} key points, {len(cache.spans)} spans in {time.perf_counter() - started:.0f} s"
    )
    before = measure(network, "before", held, cache, starting_temperature, args.focus)
    if args.replay_targets == "teacher":
        taught = softmax(torch.from_numpy(predict(network, replay, cache) / starting_temperature))
        replay = [
            replace(pair, target=(float(row[0]), float(row[1]), float(row[2])))
            for pair, row in zip(replay, taught, strict=True)
        ]
        mixed = own * args.passes + replay

    optimiser = optimiser_for(network, args.lr, args.head_lr)
    steps = math.ceil(len(mixed) / BATCH)
    scheduler = warmup_then_decay(optimiser, steps)
    balance = class_weights(earlier)
    network.train()
    started, total, seen = time.perf_counter(), 0.0, 0
    for step, batch in enumerate(batches(mixed, cache, rng, shuffle=True)):
        total += train_step(network, optimiser, scheduler, batch, balance)
        seen += len(batch[0])
        if step % 50 == 0:
            print(f"step {step}/{steps} loss {total / seen:.4f} {time.perf_counter() - started:.0f} s", flush=True)
    seconds = round(time.perf_counter() - started)
    save_network(network, output / "best")
    hardened = load_network(output / "best", embedder.transformer, merge=False)
    temperature = (
        1.0
        if args.replay_targets == "teacher"
        else fit_temperature(predict(hardened, held["validation"], cache), held["validation"])
    )
    after = measure(hardened, "after", held, cache, temperature, args.focus)
    hardened.config = replace(hardened.config, temperature=temperature)
    save_network(hardened, output / "best")
    metrics = {
        "started_from": str(args.start),
        "focus": args.focus,
        "replay_targets": args.replay_targets,
        "balance_focus": args.balance_focus,
        "pairs": {
            "focus": len(own),
            "passes": args.passes,
            "replayed": len(replay),
            **{k: len(v) for k, v in held.items()},
        },
        "seconds": seconds,
        "train_loss": round(total / seen, 4),
        "temperature": temperature,
        "before": before,
        "after": after,
    }
    (output / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    print(f"copy {output / 'best'} to {JUDGE_DIR} to ship it")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", default=str(JUDGE_DIR), help="the judge to continue (default: the shipped one)")
    parser.add_argument("--replay", type=int, default=10000, help="first-stage pairs mixed in")
    parser.add_argument("--focus", choices=LATER_SOURCES, default=OWN_WORDS, help="the pairs this stage teaches")
    parser.add_argument("--passes", type=int, default=1, help="times each focus pair is seen")
    parser.add_argument(
        "--balance-focus", action="store_true", help="weight the focus pairs so each label carries the same total"
    )
    parser.add_argument(
        "--replay-targets",
        choices=("labels", "teacher"),
        default="labels",
        help="replayed pairs learn their labels, or the starting judge's own probabilities",
    )
    parser.add_argument("--held-out", type=int, default=3000, help="pairs sampled from validation and from test")
    parser.add_argument("--lr", type=float, default=4e-5)
    parser.add_argument("--head-lr", type=float, default=5e-4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--output", default=str(WORK_DIR / "hardened"))
    harden(parser.parse_args())


if __name__ == "__main__":
    main()
