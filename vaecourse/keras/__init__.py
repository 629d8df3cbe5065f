"""Keras 3 (TensorFlow backend) reference code for the course: sampling, losses, models, training.

The same conventions as ``vaecourse.torch``: images (N, 28, 28) float32 in [0, 1], encoders output
``z_mean``, ``z_log_var`` (gamma = log sigma^2) and ``codings``, decoders output logits,
per-example losses have shape (N,) and batch losses are batch means.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TensorFlow's start-up chatter

from .losses import kl_divergence, kl_divergence_std, reconstruction_bce, reconstruction_mse, vae_loss  # noqa: E402
from .models import VAE, build_conv_vae, build_dense_vae  # noqa: E402
from .sampling import Sampling  # noqa: E402
from .training import evaluate_elbo, fit  # noqa: E402

__all__ = [
    "VAE",
    "Sampling",
    "build_conv_vae",
    "build_dense_vae",
    "evaluate_elbo",
    "fit",
    "kl_divergence",
    "kl_divergence_std",
    "reconstruction_bce",
    "reconstruction_mse",
    "vae_loss",
]
