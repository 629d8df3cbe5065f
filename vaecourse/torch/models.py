"""Two VAEs that share one interface: ``encode`` -> (z_mean, z_log_var), ``decode_logits``,
``decode`` -> probabilities in [0, 1] with shape (N, 28, 28), and ``forward`` -> (logits, z_mean,
z_log_var)."""

from __future__ import annotations

import torch
from torch import nn

from .sampling import sample_codings


class _VAE(nn.Module):
    """Subclasses set ``encoder_body``, ``z_mean_head``, ``z_log_var_head`` and ``decoder``."""

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.encoder_body(x)
        return self.z_mean_head(hidden), self.z_log_var_head(hidden)

    def decode_logits(self, codings: torch.Tensor) -> torch.Tensor:
        return self.decoder(codings).reshape(-1, 28, 28)

    def decode(self, codings: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.decode_logits(codings))

    def forward(self, x: torch.Tensor, seed=None):
        """One pass with a sampled coding; ``seed`` as in ``sample_codings``."""
        z_mean, z_log_var = self.encode(x)
        codings = sample_codings(z_mean, z_log_var, seed)
        return self.decode_logits(codings), z_mean, z_log_var


class DenseVAE(_VAE):
    """The book's VAE for Fashion-MNIST: 784 -> 150 -> 100 -> codings, mirrored in the decoder."""

    def __init__(self, codings_size: int = 10, hidden: tuple[int, int] = (150, 100)):
        super().__init__()
        h1, h2 = hidden
        self.codings_size = codings_size
        self.encoder_body = nn.Sequential(
            nn.Flatten(), nn.Linear(28 * 28, h1), nn.ReLU(), nn.Linear(h1, h2), nn.ReLU()
        )
        self.z_mean_head = nn.Linear(h2, codings_size)
        self.z_log_var_head = nn.Linear(h2, codings_size)
        self.decoder = nn.Sequential(
            nn.Linear(codings_size, h2),
            nn.ReLU(),
            nn.Linear(h2, h1),
            nn.ReLU(),
            nn.Linear(h1, 28 * 28),
        )


class ConvVAE(_VAE):
    """A small convolutional VAE: two stride-2 convolutions (16 and 32 channels) down to 7x7,
    two transposed convolutions back up, then a 3x3 convolution to one channel of logits.
    Kept narrow so that an epoch of Fashion-MNIST takes well under a minute on 2 CPU cores."""

    def __init__(self, codings_size: int = 10):
        super().__init__()
        self.codings_size = codings_size
        self.encoder_body = nn.Sequential(
            _AddChannel(),
            nn.Conv2d(1, 16, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(32 * 7 * 7, 128),
            nn.ReLU(),
        )
        self.z_mean_head = nn.Linear(128, codings_size)
        self.z_log_var_head = nn.Linear(128, codings_size)
        self.decoder = nn.Sequential(
            nn.Linear(codings_size, 32 * 7 * 7),
            nn.ReLU(),
            nn.Unflatten(1, (32, 7, 7)),
            nn.ConvTranspose2d(32, 32, 3, stride=2, padding=1, output_padding=1),
            nn.ReLU(),
            nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 1, 3, padding=1),
        )


class _AddChannel(nn.Module):
    """(N, 28, 28) or (N, 784) -> (N, 1, 28, 28)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(-1, 1, 28, 28)
