"""The reparameterization trick: z = mu + sigma * eps, with eps ~ N(0, I) drawn outside the
graph."""

from __future__ import annotations

import torch


def make_generator(seed: int | torch.Generator | None) -> torch.Generator | None:
    """Turn a seed into a torch.Generator; pass a Generator or None through unchanged."""
    if seed is None or isinstance(seed, torch.Generator):
        return seed
    return torch.Generator().manual_seed(int(seed))


def sample_codings(
    z_mean: torch.Tensor, z_log_var: torch.Tensor, seed: int | torch.Generator | None = None
) -> torch.Tensor:
    """Draw codings z ~ N(z_mean, exp(z_log_var)) so that gradients reach both inputs.

    z_mean, z_log_var: (N, codings_size); z_log_var is gamma = log sigma^2, so sigma = exp(gamma/2).
    seed: an int (same int, same draw), a torch.Generator (continues its stream) or None (the
    global generator). Each example and dimension gets its own independent noise.
    Returns codings with the shape of z_mean.
    """
    eps = torch.randn(z_mean.shape, generator=make_generator(seed), dtype=z_mean.dtype)
    return z_mean + torch.exp(0.5 * z_log_var) * eps.to(z_mean.device)
