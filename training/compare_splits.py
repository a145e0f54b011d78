"""Where should key point and span meet? `python -m training.compare_splits --split 0 [--steps 800]`.

The shipped judge joins the two after layer 3 of MiniLM (each half encoded alone below). This trains a judge
joined after layer `--split` (0: a full cross-encoder) on a fixed sample of the training questions' pairs, the same
sample and steps for every split, so the splits are compared on equal data, and reads held-out test questions: a
fixed sample of their pairs plus every voiced pair. Reported: the three-way scores (`train_judge.report`), each
source's mean probabilities, and the ROC AUC of the contradiction probability between the contradicted and the
correct pairs of one source family (voiced, written, near-copies...), with the share of correct pairs read as
contradicting at the threshold that catches half of the wrong ones. `--judge FOLDER` reads a trained judge on the
same pairs instead (the shipped one: `interviewer/grading/judge`). Seed 13, as `train_judge`; measured in
docs/grading.md ("Joining key point and span lower").
"""

from __future__ import annotations

import argparse
import json
import random
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from scipy.stats import mannwhitneyu

from interviewer.grading.embedding import load_sentence_transformer
from interviewer.grading.judge_network import JudgeConfig, JudgeNetwork, load_network, save_network, softmax
from training.harden_judge import focus_readings
from training.pairs import Pair, all_pairs, three_way_split
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

FAMILIES = {
    "written": ("written:contradicted", "written:entailed"),
    "voiced": ("voiced:contradicted", "voiced:entailed"),
    "reversed": ("reversed:contradicted", "reversed:paraphrase"),
    "own-words": ("own-words:contrast", "own-words:identity"),
    "rewrite": ("rewrite:contradiction", "rewrite:longer-span"),
}
"""(wrong, correct) sources of one family: the same writers and kinds of text on both sides."""


def samples(steps: int) -> tuple[list[Pair], list[Pair], list[Pair], list[Pair], random.Random]:
    """Every training pair (for the class balance), the training sample (`steps` batches), the validation sample
    (temperature) and the test sample, fixed by the seed; and the generator, which goes on to shuffle the batches."""
    training, validation, test = three_way_split(all_pairs(seed=SEED))
    rng = random.Random(SEED)
    trained = rng.sample(training, steps * BATCH)
    validating = rng.sample(validation, min(3000, len(validation)))
    voiced = [pair for pair in test if pair.source.startswith("voiced")]
    others = [pair for pair in test if not pair.source.startswith("voiced")]
    return training, trained, validating, rng.sample(others, min(5000, len(others))) + voiced, rng


def _auc(positives: np.ndarray, negatives: np.ndarray) -> float:
    """ROC AUC: the chance that a positive scores above a negative (Mann-Whitney U over the pairs of the two)."""
    return round(float(mannwhitneyu(positives, negatives).statistic) / (len(positives) * len(negatives)), 3)


def separation(probabilities: np.ndarray, pairs: list[Pair]) -> dict[str, float]:
    """Per family and over all of them: ROC AUC of P(contradicted), wrong against correct pairs; per family, the
    correct pairs' false alarms at the median wrong pair's probability."""
    sources = np.array([pair.source for pair in pairs])
    contradicted = probabilities[:, 1]
    numbers: dict[str, float] = {}
    for family, (wrong, right) in FAMILIES.items():
        positives, negatives = contradicted[sources == wrong], contradicted[sources == right]
        if not len(positives) or not len(negatives):
            continue
        numbers[family] = _auc(positives, negatives)
        numbers[f"{family}_false_alarms_at_half"] = round(float((negatives >= np.median(positives)).mean()), 3)
    wrong_sources = np.isin(sources, [wrong for wrong, _ in FAMILIES.values()])
    right_sources = np.isin(sources, [right for _, right in FAMILIES.values()])
    if wrong_sources.any() and right_sources.any():
        numbers["all"] = _auc(contradicted[wrong_sources], contradicted[right_sources])
    return numbers


def readings(network: JudgeNetwork, pairs: list[Pair], cache: StateCache, temperature: float) -> dict:
    """Everything reported for one network on the test sample (every source's mean probabilities: `focus_readings`
    with a focus every source starts with)."""
    logits = predict(network, pairs, cache)
    return {
        "test": report(logits, pairs, temperature),
        "auc": separation(softmax(torch.from_numpy(logits / temperature)), pairs),
        "by_source": focus_readings(logits, pairs, "", temperature),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", type=int, default=0, help="base layers below the join")
    parser.add_argument("--steps", type=int, default=800, help="training batches of 32 (one pass over the sample)")
    parser.add_argument("--head-lr", type=float, default=5e-4, help="adapters, segment vectors and head")
    parser.add_argument("--judge", type=Path, default=None, help="read this trained judge instead of training one")
    parser.add_argument("--output", type=Path, default=None, help="default: training/runs/compare-split<N>")
    args = parser.parse_args()
    set_seed(SEED)
    torch.set_num_threads(2)
    training, trained, validating, testing, rng = samples(args.steps)
    embedder = load_sentence_transformer()
    started = time.perf_counter()
    if args.judge is not None:
        network = load_network(args.judge, embedder.transformer, merge=False)
        cache = StateCache(network.config)
        cache.fill(testing, embedder, WORK_DIR / f"states-split{network.config.split}.pt")
        numbers = {"judge": str(args.judge), **readings(network, testing, cache, network.config.temperature)}
    else:
        config = JudgeConfig(split=args.split, layers=6 - args.split, lora_rank=16)
        cache = StateCache(config)
        cache.fill(trained + validating + testing, embedder, WORK_DIR / f"states-split{config.split}.pt")
        network = JudgeNetwork(config)
        network.init_from_bert(embedder.transformer)
        optimiser = optimiser_for(network, 4e-5, args.head_lr)
        scheduler = warmup_then_decay(optimiser, args.steps)
        balance = class_weights(training)
        network.train()
        total, seen = 0.0, 0
        for step, batch in enumerate(batches(trained, cache, rng, shuffle=True)):
            total += train_step(network, optimiser, scheduler, batch, balance)
            seen += len(batch[0])
            if step % 50 == 49:
                print(f"step {step + 1} loss {total / seen:.4f} {time.perf_counter() - started:.0f} s", flush=True)
                total, seen = 0.0, 0
        temperature = fit_temperature(predict(network, validating, cache), validating)
        network.config = replace(config, temperature=temperature)
        save_network(network, args.output or WORK_DIR / f"compare-split{args.split}")
        numbers = {"split": args.split, "steps": args.steps, "temperature": temperature}
        numbers |= readings(network, testing, cache, temperature)
    numbers["seconds"] = round(time.perf_counter() - started)
    print(json.dumps(numbers, indent=1))


if __name__ == "__main__":
    main()
