"""Train the key-point judge on CPU: `python -m training.train_judge [--final] [--epochs N]`.

1. Build the pairs (`training/pairs.py`) and split them by question: 20 % of questions are the test
   split (reported), 10 % of the rest validate (best epoch and the temperature), the rest train.
2. Encode every distinct text once through the frozen lower layers of all-MiniLM-L6-v2 (the states
   the embedding pass gives at run time), then train the judge's copies of the top layers, its
   segment vectors and its head with soft-label cross-entropy, balanced per class.
3. Keep the epoch with the best validation loss, fit a temperature on validation, report the test
   split and write the network and `metrics.json` to the output folder.

`--final` trains on every question (train + validation for the epochs and the temperature found
by the split run, read from its metrics.json) and writes the shipped weights. Fixed seed; runs on
2 cores in well under an hour; checkpoints after every epoch, and `--resume` continues from one.
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
from torch.nn import functional

from interviewer.grading.embedding import load_sentence_transformer
from interviewer.grading.judge import JUDGE_DIR
from interviewer.grading.judge_network import LABELS, JudgeConfig, JudgeNetwork, save_network
from training.pairs import Pair, all_pairs, three_way_split

ROOT = Path(__file__).resolve().parents[1]
WORK_DIR = ROOT / "training" / "runs"
SEED = 13
BATCH = 32


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


class StateCache:
    """Lower-layer states of every key point and span text, computed once."""

    def __init__(self, config: JudgeConfig) -> None:
        self.config = config
        self.key_points: dict[str, np.ndarray] = {}
        self.spans: dict[str, np.ndarray] = {}

    def fill(self, pairs: list[Pair], embedder, store: Path | None = None) -> None:
        """Encode what is missing; `store` keeps the states between runs (same split layer, same texts)."""
        from interviewer.grading.judge import span_states, whole_text_pieces
        from interviewer.grading.text import sentences

        if store is not None and store.is_file():
            saved = torch.load(store, weights_only=False)
            self.key_points.update(saved["key_points"])
            self.spans.update(saved["spans"])
        key_point_texts = sorted({pair.key_point for pair in pairs} - set(self.key_points))
        span_texts = sorted({pair.span for pair in pairs} - set(self.spans))
        for start in range(0, len(key_point_texts), 256):
            chunk = key_point_texts[start : start + 256]
            _, tokens = embedder.embed_with_tokens(chunk, hidden_layer=self.config.split)
            for text, token_vectors in zip(chunk, tokens, strict=True):
                self.key_points[text] = token_vectors.hidden[: self.config.max_key_point_tokens].astype(np.float16)
        for start in range(0, len(span_texts), 256):
            chunk = span_texts[start : start + 256]
            parts = [sentences(text) or [text] for text in chunk]
            flat = [sentence for sentence_list in parts for sentence in sentence_list]
            _, tokens = embedder.embed_with_tokens(flat, hidden_layer=self.config.split)
            cursor = 0
            for text, sentence_list in zip(chunk, parts, strict=True):
                own = tokens[cursor : cursor + len(sentence_list)]
                cursor += len(sentence_list)
                states = span_states(own, whole_text_pieces(own))
                self.spans[text] = states[: self.config.max_span_tokens].astype(np.float16)
        if store is not None and (key_point_texts or span_texts):
            torch.save({"key_points": self.key_points, "spans": self.spans}, store)


def _length(pair: Pair, cache: StateCache) -> int:
    return len(cache.key_points[pair.key_point]) + len(cache.spans[pair.span])


def batches(pairs: list[Pair], cache: StateCache, rng: random.Random, shuffle: bool):
    """Batches of similar length (less padding): indices, states, keep mask, segments, targets, weights."""
    order = sorted(range(len(pairs)), key=lambda index: _length(pairs[index], cache))
    chunks = [order[start : start + BATCH] for start in range(0, len(order), BATCH)]
    if shuffle:
        rng.shuffle(chunks)
    for chunk in chunks:
        selected = [pairs[index] for index in chunk]
        key_points = [cache.key_points[pair.key_point].astype(np.float32) for pair in selected]
        spans = [cache.spans[pair.span].astype(np.float32) for pair in selected]
        longest = max(len(k) + len(s) for k, s in zip(key_points, spans, strict=True))
        states = torch.zeros((len(selected), longest, cache.config.hidden))
        keep = torch.zeros((len(selected), longest), dtype=torch.bool)
        segment = torch.zeros((len(selected), longest), dtype=torch.long)
        for row, (key_point, span) in enumerate(zip(key_points, spans, strict=True)):
            joined = np.concatenate([key_point, span])
            states[row, : len(joined)] = torch.from_numpy(joined)
            keep[row, : len(joined)] = True
            segment[row, len(key_point) : len(joined)] = 1
        targets = torch.tensor([pair.target for pair in selected], dtype=torch.float32)
        weights = torch.tensor([pair.weight for pair in selected], dtype=torch.float32)
        yield chunk, states, keep, segment, targets, weights


def class_weights(pairs: list[Pair]) -> torch.Tensor:
    """Inverse frequency of the hard labels, so each class counts the same in the loss."""
    counts = Counter(pair.label for pair in pairs)
    return torch.tensor([len(pairs) / (len(LABELS) * max(counts[label], 1)) for label in LABELS], dtype=torch.float32)


def loss_of(logits: torch.Tensor, targets: torch.Tensor, weights: torch.Tensor, balance: torch.Tensor) -> torch.Tensor:
    per_pair = -(targets * functional.log_softmax(logits, dim=-1)).sum(dim=-1)
    scale = weights * (targets @ balance)
    return (per_pair * scale).sum() / scale.sum()


def optimiser_for(network: JudgeNetwork, lr: float, head_lr: float) -> torch.optim.AdamW:
    """AdamW with the top layers' own weights at `lr` and the adapters, segment vectors and head at `head_lr`."""
    trainable = [(name, parameter) for name, parameter in network.named_parameters() if parameter.requires_grad]
    head = [parameter for name, parameter in trainable if not name.startswith("layers.") or "lora_" in name]
    body = [parameter for name, parameter in trainable if name.startswith("layers.") and "lora_" not in name]
    return torch.optim.AdamW([{"params": body, "lr": lr}, {"params": head, "lr": head_lr}], weight_decay=0.01)


def warmup_then_decay(optimiser: torch.optim.Optimizer, total_steps: int) -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warm-up over 6 % of the steps, then linear decay to zero."""
    return torch.optim.lr_scheduler.LambdaLR(
        optimiser,
        lambda step: min(1.0, (step + 1) / (0.06 * total_steps)) * max(0.0, (total_steps - step) / total_steps),
    )


def train_step(
    network: JudgeNetwork, optimiser: torch.optim.Optimizer, scheduler, batch, balance: torch.Tensor
) -> float:
    """One optimiser step on a batch from `batches`; returns the batch's summed loss."""
    _, states, keep, segment, targets, weights = batch
    optimiser.zero_grad()
    loss = loss_of(network(states, keep, segment), targets, weights, balance)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
    optimiser.step()
    scheduler.step()
    return loss.item() * len(targets)


def predict(network: JudgeNetwork, pairs: list[Pair], cache: StateCache) -> np.ndarray:
    """Logits of every pair, in input order."""
    network.eval()
    logits = np.zeros((len(pairs), len(LABELS)), dtype=np.float32)
    with torch.inference_mode():
        for chunk, states, keep, segment, _, _ in batches(pairs, cache, random.Random(0), shuffle=False):
            logits[chunk] = network(states, keep, segment).numpy()
    return logits


def fit_temperature(logits: np.ndarray, pairs: list[Pair]) -> float:
    """The temperature minimising the negative log-likelihood of the hard labels (grid search)."""
    labels = np.array([LABELS.index(pair.label) for pair in pairs])
    best, best_nll = 1.0, math.inf
    for temperature in np.arange(0.5, 4.01, 0.05):
        scaled = logits / temperature
        scaled = scaled - scaled.max(axis=1, keepdims=True)
        log_probs = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
        nll = -log_probs[np.arange(len(labels)), labels].mean()
        if nll < best_nll:
            best, best_nll = float(temperature), float(nll)
    return round(best, 2)


def report(logits: np.ndarray, pairs: list[Pair], temperature: float) -> dict:
    """Accuracy, per-class precision/recall, and the false alarms that matter to a candidate."""
    scaled = logits / temperature
    probabilities = np.exp(scaled - scaled.max(axis=1, keepdims=True))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    predicted = probabilities.argmax(axis=1)
    hard = [pair for pair in pairs if pair.source != "written:partial"]
    index = {id(pair): position for position, pair in enumerate(pairs)}
    truth = np.array([LABELS.index(pair.label) for pair in hard])
    guess = np.array([predicted[index[id(pair)]] for pair in hard])
    per_class = {}
    for label_index, label in enumerate(LABELS):
        true_positive = int(((guess == label_index) & (truth == label_index)).sum())
        precision = true_positive / max(int((guess == label_index).sum()), 1)
        recall = true_positive / max(int((truth == label_index).sum()), 1)
        per_class[label] = {
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "support": int((truth == label_index).sum()),
        }
    entailed = truth == 0
    contradicted = truth == 1
    return {
        "pairs": len(hard),
        "accuracy": round(float((guess == truth).mean()), 3),
        "per_class": per_class,
        "entailed_called_contradicted": round(float((guess[entailed] == 1).mean()), 3) if entailed.any() else None,
        "contradicted_called_entailed": round(float((guess[contradicted] == 0).mean()), 3)
        if contradicted.any()
        else None,
        "entailed_vs_contradicted_accuracy": round(
            float((guess[entailed | contradicted] == truth[entailed | contradicted]).mean()), 3
        ),
        "written_only_accuracy": _accuracy_where(hard, truth, guess, lambda pair: pair.source.startswith("written")),
    }


def _accuracy_where(pairs: list[Pair], truth: np.ndarray, guess: np.ndarray, keep) -> float | None:
    mask = np.array([bool(keep(pair)) for pair in pairs])
    return round(float((guess[mask] == truth[mask]).mean()), 3) if mask.any() else None


def train(args: argparse.Namespace) -> None:
    set_seed(SEED)
    torch.set_num_threads(args.threads)
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    pairs = all_pairs(seed=SEED)
    training, validation, test = three_way_split(pairs)
    epochs = args.epochs
    temperature = 1.0
    if args.final:
        split_metrics = json.loads((Path(args.split_run) / "metrics.json").read_text(encoding="utf-8"))
        epochs = split_metrics["best_epoch"]
        temperature = split_metrics["temperature"]
        training, validation, test = pairs, [], []
    print(
        f"pairs: train {len(training)}, validation {len(validation)}, test {len(test)}; "
        f"questions {len({p.group for p in training})}/{len({p.group for p in validation})}/"
        f"{len({p.group for p in test})}"
    )
    print("train labels:", dict(Counter(pair.label for pair in training)))

    embedder = load_sentence_transformer()
    config = JudgeConfig(split=args.split, layers=6 - args.split, lora_rank=args.lora_rank, dropout=args.dropout)
    cache = StateCache(config)
    started = time.perf_counter()
    cache.fill(training + validation + test, embedder, WORK_DIR / f"states-split{config.split}.pt")
    print(
        f"encoded {len(cache.key_points)} key points and {len(cache.spans)} spans "
        f"in {time.perf_counter() - started:.0f} s"
    )

    network = JudgeNetwork(config)
    network.init_from_bert(embedder.transformer)
    optimiser = optimiser_for(network, args.lr, args.head_lr)
    steps_per_epoch = math.ceil(len(training) / BATCH)
    total_steps = steps_per_epoch * epochs
    scheduler = warmup_then_decay(optimiser, total_steps)
    balance = class_weights(training)
    rng = random.Random(SEED)
    history = []
    best_loss, best_epoch = math.inf, 0
    start_epoch = 1
    checkpoint = output / "checkpoint.pt"
    if args.resume and checkpoint.is_file():
        saved = torch.load(checkpoint, weights_only=False)
        network.load_state_dict(saved["network"])
        optimiser.load_state_dict(saved["optimiser"])
        scheduler.load_state_dict(saved["scheduler"])
        rng.setstate(saved["rng"])
        torch.set_rng_state(saved["torch_rng"])
        history, best_loss, best_epoch, start_epoch = (
            saved["history"],
            saved["best_loss"],
            saved["best_epoch"],
            saved["epoch"] + 1,
        )
        print(f"resumed after epoch {saved['epoch']}")
    for epoch in range(start_epoch, epochs + 1):
        network.train()
        started, total, seen = time.perf_counter(), 0.0, 0
        for step, batch in enumerate(batches(training, cache, rng, shuffle=True)):
            total += train_step(network, optimiser, scheduler, batch, balance)
            seen += len(batch[0])
            if step % 100 == 99:  # a run whose loss stays at ln 3 has collapsed to one answer: stop it early
                elapsed = time.perf_counter() - started
                progress = f"step {step + 1}/{steps_per_epoch} loss {total / seen:.4f}"
                print(f"epoch {epoch} {progress} {elapsed:.0f} s", flush=True)
        entry = {"epoch": epoch, "train_loss": round(total / seen, 4), "seconds": round(time.perf_counter() - started)}
        if validation:
            logits = predict(network, validation, cache)
            targets = torch.tensor([pair.target for pair in validation])
            weights = torch.tensor([pair.weight for pair in validation])
            validation_loss = float(loss_of(torch.from_numpy(logits), targets, weights, balance))
            entry["validation_loss"] = round(validation_loss, 4)
            numbers = report(logits, validation, 1.0)
            entry["validation"] = numbers["accuracy"]
            entry["false_alarms"] = numbers["entailed_called_contradicted"]
            selection = -(numbers["accuracy"] - (numbers["entailed_called_contradicted"] or 0.0))
            if selection < best_loss:  # accuracy, less the correct statements called contradictions
                best_loss, best_epoch = selection, epoch
                save_network(network, output / "best")
        history.append(entry)
        print(json.dumps(entry), flush=True)
        torch.save(
            {
                "network": network.state_dict(),
                "optimiser": optimiser.state_dict(),
                "scheduler": scheduler.state_dict(),
                "rng": rng.getstate(),
                "torch_rng": torch.get_rng_state(),
                "history": history,
                "best_loss": best_loss,
                "best_epoch": best_epoch,
                "epoch": epoch,
            },
            checkpoint,
        )
    if args.final:
        network.config = replace(config, temperature=temperature)
        save_network(network, output / "final")
        metrics = {"best_epoch": epochs, "temperature": temperature, "history": history, "pairs": len(training)}
    else:
        from interviewer.grading.judge_network import load_network

        best = load_network(output / "best", embedder.transformer, merge=False)
        temperature = fit_temperature(predict(best, validation, cache), validation)
        metrics = {
            "best_epoch": best_epoch,
            "temperature": temperature,
            "history": history,
            "pairs": {"train": len(training), "validation": len(validation), "test": len(test)},
            "questions": {
                "train": len({p.group for p in training}),
                "validation": len({p.group for p in validation}),
                "test": len({p.group for p in test}),
            },
            "test": report(predict(best, test, cache), test, temperature),
            "test_by_source": {
                source: report(predict(best, subset, cache), subset, temperature)["accuracy"]
                for source in sorted({pair.source for pair in test})
                if (subset := [pair for pair in test if pair.source == source and pair.source != "written:partial"])
            },
        }
        best.config = replace(best.config, temperature=temperature)
        save_network(best, output / "best")
    (output / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(metrics.get("test", {}), indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--split", type=int, default=4, help="base layers below the join")
    parser.add_argument("--lr", type=float, default=4e-5)
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--lora-rank", type=int, default=0, help="0: fine-tune the top layers whole")
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--output", default=str(WORK_DIR / "split"))
    parser.add_argument("--final", action="store_true", help="train on every question and write the shipped weights")
    parser.add_argument(
        "--split-run",
        default=str(WORK_DIR / "split"),
        help="with --final: the split run to take epochs and temperature from",
    )
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args()
    if args.final and args.output == str(WORK_DIR / "split"):
        args.output = str(WORK_DIR / "final")
    train(args)
    if args.final:
        print(f"copy {Path(args.output) / 'final'} to {JUDGE_DIR} to ship it")


if __name__ == "__main__":
    main()
