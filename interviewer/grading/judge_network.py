"""The key-point judge's network: the top layers of MiniLM read a key point and an answer span together.

The embedding model (all-MiniLM-L6-v2) already runs every answer sentence through all six layers.
The judge reuses that pass: it takes each text's token states after layer `split` (computed for the
key point and for the answer sentence separately, so the answer's are free), joins the two sequences,
marks the span's tokens with a learned segment vector, and runs its own copies of the layers above
`split` over the joined sequence, so key point and span attend to each other (a cross-encoder from
there up: Efficient Document Re-Ranking, MacAvaney et al. 2020, "PreTTR"). A small head reads the
key point's [CLS] position and says entailed / contradicted / neutral.

Only the trained top layers, the segment vectors and the head are shipped (float16, a few MB); the
lower layers are the embedding model's own. This module imports torch: import it only to run the judge.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional

LABELS = ("entailed", "contradicted", "neutral")
WEIGHTS_FILE = "judge.safetensors"
CONFIG_FILE = "judge.json"


@dataclass(frozen=True)
class JudgeConfig:
    """Shape of a judge network; saved next to its weights."""

    base_model: str = "all-MiniLM-L6-v2"
    split: int = 4
    """Layers of the base model below the join (their states come from the embedding pass)."""
    layers: int = 2
    hidden: int = 384
    heads: int = 12
    intermediate: int = 1536
    max_key_point_tokens: int = 64
    max_span_tokens: int = 96
    temperature: float = 1.0
    """Calibration: logits are divided by it (fitted on held-out questions)."""

    def save(self, folder: Path) -> None:
        (folder / CONFIG_FILE).write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> JudgeConfig:
        return cls(**json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8")))


class EncoderLayer(nn.Module):
    """One post-norm BERT layer (self-attention, then a GELU feed-forward), in plain torch."""

    def __init__(self, hidden: int, heads: int, intermediate: int) -> None:
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attention_output = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.feed_forward_in = nn.Linear(hidden, intermediate)
        self.feed_forward_out = nn.Linear(intermediate, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(0.1)

    def forward(self, states: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        """`states` (batch, length, hidden); `keep` (batch, length) True for real tokens."""
        batch, length, hidden = states.shape
        head_size = hidden // self.heads

        def split_heads(projected: torch.Tensor) -> torch.Tensor:
            return projected.view(batch, length, self.heads, head_size).transpose(1, 2)

        attended = functional.scaled_dot_product_attention(
            split_heads(self.query(states)),
            split_heads(self.key(states)),
            split_heads(self.value(states)),
            attn_mask=keep[:, None, None, :],
            dropout_p=0.1 if self.training else 0.0,
        )
        attended = attended.transpose(1, 2).reshape(batch, length, hidden)
        states = self.attention_norm(states + self.dropout(self.attention_output(attended)))
        expanded = functional.gelu(self.feed_forward_in(states))
        return self.output_norm(states + self.dropout(self.feed_forward_out(expanded)))

    def load_bert_layer(self, layer: Any) -> None:
        """Copy the weights of a Hugging Face BertLayer."""
        pairs = [
            (self.query, layer.attention.self.query),
            (self.key, layer.attention.self.key),
            (self.value, layer.attention.self.value),
            (self.attention_output, layer.attention.output.dense),
            (self.attention_norm, layer.attention.output.LayerNorm),
            (self.feed_forward_in, layer.intermediate.dense),
            (self.feed_forward_out, layer.output.dense),
            (self.output_norm, layer.output.LayerNorm),
        ]
        with torch.no_grad():
            for ours, theirs in pairs:
                ours.weight.copy_(theirs.weight)
                ours.bias.copy_(theirs.bias)


class JudgeNetwork(nn.Module):
    """Joined (key point, span) states -> logits over LABELS."""

    def __init__(self, config: JudgeConfig) -> None:
        super().__init__()
        self.config = config
        self.layers = nn.ModuleList(
            EncoderLayer(config.hidden, config.heads, config.intermediate) for _ in range(config.layers)
        )
        self.segment = nn.Parameter(torch.zeros(2, config.hidden))
        self.pre_classifier = nn.Linear(config.hidden, config.hidden)
        self.classifier = nn.Linear(config.hidden, len(LABELS))
        self.dropout = nn.Dropout(0.1)

    def init_from_bert(self, bert: Any) -> None:
        """Start the top layers from the base model's own layers above the split."""
        for offset, layer in enumerate(self.layers):
            layer.load_bert_layer(bert.encoder.layer[self.config.split + offset])

    def forward(self, states: torch.Tensor, keep: torch.Tensor, segment: torch.Tensor) -> torch.Tensor:
        """`states` (batch, length, hidden) joined key point + span states, `keep` the real tokens,
        `segment` 0 for key-point tokens and 1 for span tokens. Returns (batch, 3) logits."""
        states = states + self.segment[segment]
        for layer in self.layers:
            states = layer(states, keep)
        pooled = torch.tanh(self.pre_classifier(self.dropout(states[:, 0])))
        return self.classifier(self.dropout(pooled)) / self.config.temperature


PAIR_BUCKET = 16


def join_pairs(
    key_point_states: list[np.ndarray], span_states: list[np.ndarray], config: JudgeConfig
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Pad joined pairs to a fixed bucket length (always at least one padding position), so a pair's
    logits do not depend on the other pairs of its batch. Returns states, keep mask, segment ids."""
    pieces = []
    for key_point, span in zip(key_point_states, span_states, strict=True):
        key_point = key_point[: config.max_key_point_tokens]
        span = span[: config.max_span_tokens]
        pieces.append((key_point, span))
    longest = max(len(key_point) + len(span) for key_point, span in pieces)
    length = (longest // PAIR_BUCKET + 1) * PAIR_BUCKET
    states = torch.zeros((len(pieces), length, config.hidden), dtype=torch.float32)
    keep = torch.zeros((len(pieces), length), dtype=torch.bool)
    segment = torch.zeros((len(pieces), length), dtype=torch.long)
    for row, (key_point, span) in enumerate(pieces):
        joined = np.concatenate([key_point, span]) if len(span) else key_point
        states[row, : len(joined)] = torch.from_numpy(np.ascontiguousarray(joined, dtype=np.float32))
        keep[row, : len(joined)] = True
        segment[row, len(key_point) : len(joined)] = 1
    return states, keep, segment


def pair_bucket(key_point_length: int, span_length: int, config: JudgeConfig) -> int:
    """The padded length `join_pairs` gives a pair alone: pairs are batched by it."""
    total = min(key_point_length, config.max_key_point_tokens) + min(span_length, config.max_span_tokens)
    return (total // PAIR_BUCKET + 1) * PAIR_BUCKET


def save_network(network: JudgeNetwork, folder: Path) -> None:
    """float16 weights (safetensors) and the config."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    tensors = {name: tensor.detach().to(torch.float16).contiguous() for name, tensor in network.state_dict().items()}
    save_file(tensors, str(folder / WEIGHTS_FILE))
    network.config.save(folder)


def load_network(folder: Path) -> JudgeNetwork:
    """The shipped network in float32, in eval mode."""
    from safetensors.torch import load_file

    config = JudgeConfig.load(folder)
    network = JudgeNetwork(config)
    state = {name: tensor.to(torch.float32) for name, tensor in load_file(str(folder / WEIGHTS_FILE)).items()}
    network.load_state_dict(state)
    network.eval()
    return network


def softmax(logits: torch.Tensor) -> np.ndarray:
    return torch.softmax(logits.float(), dim=-1).cpu().numpy()


def parameter_megabytes(network: JudgeNetwork) -> float:
    """Size of the shipped (float16) weights."""
    return sum(parameter.numel() for parameter in network.parameters()) * 2 / 1e6


