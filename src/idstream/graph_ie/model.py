"""The graph network that labels document segments (PyTorch Geometric).

Architecture (after Liu et al. 2019 and PICK): a character CNN encodes each segment's
text; it is concatenated with the text statistics and the box geometry and projected
to the hidden size. Graph layers (``TransformerConv``, attention over neighbours with
the edge geometry as edge features) mix information between spatial neighbours, a
BiLSTM runs over the nodes in reading order, and a linear layer gives per-segment
class scores. A pooled head predicts the document type.

Ablations are switches of :class:`GraphIEConfig`: ``use_edges=False`` removes the
graph and sequence layers (segments are classified alone), ``use_geometry=False``
zeroes the box geometry and the edge features (the graph topology stays).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import Tensor, nn
from torch_geometric.data import Batch, Data
from torch_geometric.nn import TransformerConv, global_mean_pool
from torch_geometric.utils import to_dense_batch

from idstream.graph_ie.features import GEOMETRY_DIM, TEXT_STATS_DIM, VOCAB
from idstream.graph_ie.graph import EDGE_DIM, DocumentGraph

__all__ = ["GraphIEConfig", "GraphIENet", "collate", "to_data"]


@dataclass(slots=True)
class GraphIEConfig:
    """Hyper-parameters of :class:`GraphIENet` (saved with the model)."""

    num_classes: int
    num_doc_types: int = 0
    hidden: int = 96
    char_dim: int = 32
    char_channels: int = 48
    graph_layers: int = 2
    heads: int = 4
    use_edges: bool = True
    use_geometry: bool = True
    use_lstm: bool = True
    dropout: float = 0.1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GraphIEConfig:
        return cls(**data)


def to_data(graph: DocumentGraph, labels: list[int] | None = None, doc_type: int = -1) -> Data:
    """Convert a :class:`DocumentGraph` to a PyG ``Data`` object."""
    data = Data(
        chars=torch.from_numpy(graph.chars),
        x=torch.from_numpy(graph.node_features),
        edge_index=torch.from_numpy(graph.edge_index),
        edge_attr=torch.from_numpy(graph.edge_features),
        num_nodes=graph.num_nodes,
    )
    if labels is not None:
        data.y = torch.tensor(labels, dtype=torch.long)
    data.doc_type = torch.tensor([doc_type], dtype=torch.long)
    return data


def collate(items: list[Data]) -> Batch:
    """Batch several graphs into one disconnected graph."""
    return Batch.from_data_list(items)


class CharEncoder(nn.Module):
    """Character CNN: embeddings, a convolution and a dilated residual one, masked max pooling."""

    def __init__(self, dim: int, channels: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(len(VOCAB) + 2, dim, padding_idx=0)
        self.conv1 = nn.Conv1d(dim, channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv1d(channels, channels, kernel_size=3, padding=2, dilation=2)

    def forward(self, chars: Tensor) -> Tensor:
        mask = (chars > 0).unsqueeze(1)
        h = self.embed(chars).transpose(1, 2)
        h = torch.relu(self.conv1(h))
        h = torch.relu(self.conv2(h)) + h
        h = h.masked_fill(~mask, -1e4)
        pooled = h.max(dim=2).values
        return torch.where(mask.any(dim=2), pooled, torch.zeros_like(pooled))


class GraphIENet(nn.Module):
    """Segment classifier over the document graph."""

    def __init__(self, config: GraphIEConfig) -> None:
        super().__init__()
        self.config = config
        c = config
        self.chars = CharEncoder(c.char_dim, c.char_channels)
        self.inp = nn.Sequential(
            nn.Linear(c.char_channels + TEXT_STATS_DIM + GEOMETRY_DIM, c.hidden),
            nn.ReLU(),
            nn.Dropout(c.dropout),
        )
        self.convs = nn.ModuleList(
            TransformerConv(c.hidden, c.hidden // c.heads, heads=c.heads, edge_dim=EDGE_DIM)
            for _ in range(c.graph_layers if c.use_edges else 0)
        )
        self.norms = nn.ModuleList(nn.LayerNorm(c.hidden) for _ in self.convs)
        self.lstm = (
            nn.LSTM(c.hidden, c.hidden // 2, batch_first=True, bidirectional=True)
            if c.use_lstm and c.use_edges
            else None
        )
        self.drop = nn.Dropout(c.dropout)
        self.classifier = nn.Linear(c.hidden, c.num_classes)
        self.doc_head = nn.Linear(c.hidden, c.num_doc_types) if c.num_doc_types > 0 else None

    def forward(self, data: Data | Batch) -> tuple[Tensor, Tensor | None]:
        """Return per-node class logits ``(N, C)`` and document-type logits ``(B, T)`` or ``None``."""
        x = data.x
        edge_attr = data.edge_attr
        if not self.config.use_geometry:
            x = torch.cat([x[:, :TEXT_STATS_DIM], torch.zeros_like(x[:, TEXT_STATS_DIM:])], dim=1)
            edge_attr = torch.zeros_like(edge_attr)
        h = self.inp(torch.cat([self.chars(data.chars), x], dim=1))
        for conv, norm in zip(self.convs, self.norms, strict=True):
            h = norm(h + self.drop(torch.relu(conv(h, data.edge_index, edge_attr))))
        batch = getattr(data, "batch", None)
        if batch is None:
            batch = torch.zeros(h.shape[0], dtype=torch.long, device=h.device)
        if self.lstm is not None and h.shape[0] > 0:
            dense, mask = to_dense_batch(h, batch)
            lengths = mask.sum(dim=1).cpu()
            packed = nn.utils.rnn.pack_padded_sequence(dense, lengths, batch_first=True, enforce_sorted=False)
            out, _ = self.lstm(packed)
            seq, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=dense.shape[1])
            h = h + self.drop(seq[mask])
        logits = self.classifier(h)
        doc_logits = None
        if self.doc_head is not None:
            size = int(batch.max().item()) + 1 if batch.numel() else 1
            doc_logits = self.doc_head(global_mean_pool(h, batch, size=size))
        return logits, doc_logits
