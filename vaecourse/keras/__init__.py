"""Keras 3 (TensorFlow backend) reference code for the course: sampling, losses, models, training.

The same conventions as ``vaecourse.torch``: images (N, 28, 28) float32 in [0, 1], encoders output
``z_mean``, ``z_log_var`` (gamma = log sigma^2) and ``codings``, decoders output logits,
per-example losses have shape (N,) and batch losses are batch means.
"""

from . import _backend  # noqa: F401 (first: chooses Keras' backend before Keras is imported)
from .losses import (
    kl_divergence,
    kl_divergence_std,
    reconstruction_bce,
    reconstruction_mse,
    vae_loss,
)
from .models import VAE, build_conv_vae, build_dense_vae
from .sampling import Sampling
from .training import evaluate_elbo, fit
from .weights import from_arrays, to_arrays

__all__ = [
    "VAE",
    "Sampling",
    "build_conv_vae",
    "build_dense_vae",
    "evaluate_elbo",
    "fit",
    "from_arrays",
    "kl_divergence",
    "kl_divergence_std",
    "reconstruction_bce",
    "reconstruction_mse",
    "to_arrays",
    "vae_loss",
]
