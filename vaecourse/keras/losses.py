"""Losses of a VAE with a Bernoulli (or Gaussian) decoder and a standard normal prior, in
``keras.ops``. Per-example losses sum over pixels or latent dimensions and return shape (N,);
``vae_loss`` returns the batch mean, a scalar."""

from __future__ import annotations

from keras import ops


def _flat(x):
    return ops.reshape(x, (ops.shape(x)[0], -1))


def reconstruction_bce(x, logits):
    """Bernoulli cross-entropy summed over pixels, (N,), from logits in the stable form
    max(l, 0) - l * x + log(1 + exp(-|l|)); x must lie in [0, 1]."""
    x, logits = _flat(ops.convert_to_tensor(x, "float32")), _flat(logits)
    bce = ops.relu(logits) - logits * x + ops.log1p(ops.exp(-ops.abs(logits)))
    return ops.sum(bce, axis=1)


def reconstruction_mse(x, x_hat):
    """Squared error summed over pixels, (N,) (a Gaussian likelihood up to scale and constant)."""
    return ops.sum(ops.square(_flat(ops.convert_to_tensor(x, "float32")) - _flat(x_hat)), axis=1)


def kl_divergence(z_mean, z_log_var):
    """KL(N(mu, sigma^2) || N(0, I)) per example, (N,), with gamma = log sigma^2:
    -0.5 * sum(1 + gamma - exp(gamma) - mu^2) over the latent dimensions."""
    return -0.5 * ops.sum(1 + z_log_var - ops.exp(z_log_var) - ops.square(z_mean), axis=-1)


def kl_divergence_std(z_mean, z_std):
    """The same KL written with sigma (the book's first form), (N,). log(sigma^2) is computed as
    2 log(sigma): squaring first underflows to 0 (and its log to -inf) for sigma below 1e-23."""
    return -0.5 * ops.sum(1 + 2 * ops.log(z_std) - ops.square(z_std) - ops.square(z_mean), axis=-1)


def vae_loss(x, logits, z_mean, z_log_var, beta: float = 1.0):
    """Negative ELBO with a Bernoulli decoder, weighted: mean over the batch of
    (cross-entropy summed over pixels + beta * KL). A scalar, in nats per image when beta = 1."""
    return ops.mean(reconstruction_bce(x, logits) + beta * kl_divergence(z_mean, z_log_var))
