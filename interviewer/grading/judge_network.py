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
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, cast

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
    lora_rank: int = 0
    """0: the top layers are fine-tuned whole and shipped whole; otherwise low-rank adapters (LoRA, Hu et al.
    2021) on the base model's own top layers are trained and shipped, and the base weights come from the
    embedding model at load time."""
    lora_alpha: float = 32.0
    dropout: float = 0.1

    def save(self, folder: Path) -> None:
        (folder / CONFIG_FILE).write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> JudgeConfig:
        return cls(**json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8")))


class LoRALinear(nn.Module):
    """A frozen linear layer plus a trained low-rank update: y = W x + b + (alpha / r) B A x."""

    def __init__(self, inputs: int, outputs: int, rank: int, alpha: float, dropout: float) -> None:
        super().__init__()
        self.base = nn.Linear(inputs, outputs)
        self.base.requires_grad_(False)
        self.lora_a = nn.Parameter(torch.empty(rank, inputs))
        self.lora_b = nn.Parameter(torch.zeros(outputs, rank))
        nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
        self.scale = alpha / rank
        self.dropout = nn.Dropout(dropout)

    @property
    def weight(self) -> torch.Tensor:
        return self.base.weight

    @property
    def bias(self) -> torch.Tensor:
        return self.base.bias

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        output: torch.Tensor = self.base(inputs) + (self.dropout(inputs) @ self.lora_a.T @ self.lora_b.T) * self.scale
        return output

    def merged(self) -> nn.Linear:
        """One plain linear layer with the update folded in (as fast as the base layer)."""
        linear = nn.Linear(self.base.in_features, self.base.out_features)
        with torch.no_grad():
            linear.weight.copy_(self.base.weight + self.scale * self.lora_b @ self.lora_a)
            linear.bias.copy_(self.base.bias)
        return linear


PROJECTIONS = ("query", "key", "value", "attention_output", "feed_forward_in", "feed_forward_out")


class EncoderLayer(nn.Module):
    """One post-norm BERT layer (self-attention, then a GELU feed-forward), in plain torch."""

    def __init__(self, hidden: int, heads: int, intermediate: int, config: JudgeConfig | None = None) -> None:
        super().__init__()
        self.heads = heads
        rank = config.lora_rank if config is not None else 0
        alpha = config.lora_alpha if config is not None else 1.0
        dropout = config.dropout if config is not None else 0.1

        def linear(inputs: int, outputs: int) -> LoRALinear | nn.Linear:
            return LoRALinear(inputs, outputs, rank, alpha, dropout) if rank else nn.Linear(inputs, outputs)

        self.query = linear(hidden, hidden)
        self.key = linear(hidden, hidden)
        self.value = linear(hidden, hidden)
        self.attention_output = linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.feed_forward_in = linear(hidden, intermediate)
        self.feed_forward_out = linear(intermediate, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(dropout)
        self.attention_dropout = dropout

    def merge_adapters(self) -> None:
        """Fold LoRA updates into plain linear layers (inference)."""
        for name in PROJECTIONS:
            module = getattr(self, name)
            if isinstance(module, LoRALinear):
                setattr(self, name, module.merged())

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
            dropout_p=self.attention_dropout if self.training else 0.0,
        )
        attended = attended.transpose(1, 2).reshape(batch, length, hidden)
        states = self.attention_norm(states + self.dropout(self.attention_output(attended)))
        expanded = functional.gelu(self.feed_forward_in(states))
        output: torch.Tensor = self.output_norm(states + self.dropout(self.feed_forward_out(expanded)))
        return output

    def load_bert_layer(self, layer: Any) -> None:
        """Copy the weights of a Hugging Face BertLayer."""
        pairs: list[tuple[LoRALinear | nn.Linear | nn.LayerNorm, Any]] = [
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
            EncoderLayer(config.hidden, config.heads, config.intermediate, config) for _ in range(config.layers)
        )
        self.segment = nn.Parameter(torch.zeros(2, config.hidden))
        self.pre_classifier = nn.Linear(config.hidden, config.hidden)
        self.classifier = nn.Linear(config.hidden, len(LABELS))
        self.dropout = nn.Dropout(config.dropout)

    def encoder_layers(self) -> list[EncoderLayer]:
        """The top layers, typed (a ModuleList yields plain modules)."""
        return [cast(EncoderLayer, layer) for layer in self.layers]

    def shipped_state(self) -> dict[str, torch.Tensor]:
        """What the artefact holds: everything trained (with LoRA, not the frozen base weights)."""
        return {
            name: tensor
            for name, tensor in self.state_dict().items()
            if not (self.config.lora_rank and ".base." in name)
        }

    def init_from_bert(self, bert: Any) -> None:
        """Start the top layers from the base model's own layers above the split."""
        for offset, layer in enumerate(self.encoder_layers()):
            layer.load_bert_layer(bert.encoder.layer[self.config.split + offset])

    def forward(self, states: torch.Tensor, keep: torch.Tensor, segment: torch.Tensor) -> torch.Tensor:
        """`states` (batch, length, hidden) joined key point + span states, `keep` the real tokens,
        `segment` 0 for key-point tokens and 1 for span tokens. Returns (batch, 3) logits."""
        states = states + self.segment[segment]
        for layer in self.layers:
            states = layer(states, keep)
        pooled = torch.tanh(self.pre_classifier(self.dropout(states[:, 0])))
        logits: torch.Tensor = self.classifier(self.dropout(pooled)) / self.config.temperature
        return logits


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
    """The trained weights in float16 (safetensors) and the config."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    tensors = {name: tensor.detach().to(torch.float16).contiguous() for name, tensor in network.shipped_state().items()}
    save_file(tensors, str(folder / WEIGHTS_FILE))
    network.config.save(folder)


def load_network(folder: Path, bert: Any, *, merge: bool = True) -> JudgeNetwork:
    """A saved network in float32, in eval mode: the base model's top layers (`bert`, the embedding model's
    Hugging Face model) with the saved weights on top, LoRA updates folded in unless `merge` is False."""
    from safetensors.torch import load_file

    config = JudgeConfig.load(folder)
    network = JudgeNetwork(config)
    network.init_from_bert(bert)
    state = {name: tensor.to(torch.float32) for name, tensor in load_file(str(folder / WEIGHTS_FILE)).items()}
    missing, unexpected = network.load_state_dict(state, strict=False)
    if unexpected or any(".base." not in name for name in missing):
        raise ValueError(f"{folder / WEIGHTS_FILE} does not fit the judge network: {missing or unexpected}")
    if merge:
        for layer in network.encoder_layers():
            layer.merge_adapters()
    network.eval()
    return network


def softmax(logits: torch.Tensor) -> np.ndarray:
    return torch.softmax(logits.float(), dim=-1).cpu().numpy()


def parameter_megabytes(network: JudgeNetwork) -> float:
    """Size of the shipped (float16) weights."""
    return sum(parameter.numel() for parameter in network.parameters()) * 2 / 1e6
