"""PyTorch reference code for the course: sampling, losses, models and training.

Conventions (see COURSE.md): images are float32 in [0, 1] with shape (N, 28, 28); encoders return
``z_mean`` and ``z_log_var`` (gamma = log sigma^2); decoders return logits; per-example losses sum
over pixels or latent dimensions and have shape (N,); batch losses are means over the batch.
"""

from .losses import (
    kl_divergence,
    kl_divergence_std,
    reconstruction_bce,
    reconstruction_mse,
    vae_loss,
)
from .models import ConvVAE, DenseVAE
from .sampling import sample_codings
from .training import evaluate_elbo, fit
from .weights import from_arrays, to_arrays

__all__ = [
    "ConvVAE",
    "DenseVAE",
    "evaluate_elbo",
    "fit",
    "from_arrays",
    "kl_divergence",
    "kl_divergence_std",
    "reconstruction_bce",
    "reconstruction_mse",
    "sample_codings",
    "to_arrays",
    "vae_loss",
]
