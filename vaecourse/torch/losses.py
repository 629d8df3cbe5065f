"""Losses of a VAE with a Bernoulli (or Gaussian) decoder and a standard normal prior.

Per-example losses sum over pixels or latent dimensions and return shape (N,);
``vae_loss`` returns the batch mean, a scalar.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def _flat(x: torch.Tensor) -> torch.Tensor:
    return x.reshape(x.shape[0], -1)


def reconstruction_bce(x: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """Bernoulli cross-entropy summed over pixels, (N,). Computed from logits, so it stays
    finite for any logit (log-sum-exp form); x must lie in [0, 1]."""
    bce = F.binary_cross_entropy_with_logits(_flat(logits), _flat(x), reduction="none")
    return bce.sum(dim=1)


def reconstruction_mse(x: torch.Tensor, x_hat: torch.Tensor) -> torch.Tensor:
    """Squared error summed over pixels, (N,) (a Gaussian likelihood up to scale and constant)."""
    return ((_flat(x) - _flat(x_hat)) ** 2).sum(dim=1)


def kl_divergence(z_mean: torch.Tensor, z_log_var: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, sigma^2) || N(0, I)) per example, (N,), with gamma = log sigma^2:
    -0.5 * sum(1 + gamma - exp(gamma) - mu^2) over the latent dimensions."""
    return -0.5 * (1 + z_log_var - torch.exp(z_log_var) - z_mean**2).sum(dim=-1)


def kl_divergence_std(z_mean: torch.Tensor, z_std: torch.Tensor) -> torch.Tensor:
    """The same KL written with sigma (the book's first form), (N,). log(sigma^2) is computed as
    2 log(sigma): squaring first underflows to 0 (and its log to -inf) for sigma below 1e-23."""
    return -0.5 * (1 + 2 * torch.log(z_std) - z_std**2 - z_mean**2).sum(dim=-1)


def vae_loss(x, logits, z_mean, z_log_var, beta: float = 1.0) -> torch.Tensor:
    """Negative ELBO with a Bernoulli decoder, weighted: mean over the batch of
    (cross-entropy summed over pixels + beta * KL). A scalar, in nats per image when beta = 1."""
    return (reconstruction_bce(x, logits) + beta * kl_divergence(z_mean, z_log_var)).mean()
