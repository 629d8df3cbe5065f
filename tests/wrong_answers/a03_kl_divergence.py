"""Realistic wrong answers for 03-kl-divergence, both tracks.

Each ``code`` replaces the whole answer cell with that ``grade_id``; the names imported by the
notebook's setup cell (np, torch, F, plt / keras, ops, tf, np, plt) are available to it.
"""

from __future__ import annotations

from wrong_answers import reference_only, right_answers_of, wrong_answers_of

A = "03-kl-divergence"


_torch = wrong_answers_of(A, "pytorch")
_keras = wrong_answers_of(A, "tensorflow")


# --------------------------------------------------------------------------------------------
# PyTorch track
# --------------------------------------------------------------------------------------------

_TORCH_MC = """
def monte_carlo_kl(z_mean, z_log_var, n_samples, seed):
    generator = seed if isinstance(seed, torch.Generator) else torch.Generator().manual_seed(seed)
    {body}
"""

_TORCH_VAE_LOSS = """
def vae_loss(x, logits, z_mean, z_log_var, beta=1.0):
    per_pixel = {per_pixel}
    reconstruction = {reconstruction}
    kl = {kl}
    return {total}
"""


def _torch_vae_loss(
    per_pixel='F.binary_cross_entropy_with_logits(logits, x, reduction="none")',
    reconstruction="per_pixel.flatten(start_dim=1).sum(dim=1)",
    kl="-0.5 * (1 + z_log_var - torch.exp(z_log_var) - z_mean ** 2).sum(dim=-1)",
    total="(reconstruction + beta * kl).mean()",
) -> str:
    return _TORCH_VAE_LOSS.format(
        per_pixel=per_pixel, reconstruction=reconstruction, kl=kl, total=total
    )


TORCH = [
    # kl_divergence
    _torch(
        "kl_divergence",
        "sign flipped",
        """
def kl_divergence(z_mean, z_log_var):
    return 0.5 * (1 + z_log_var - torch.exp(z_log_var) - z_mean ** 2).sum(dim=-1)
""",
        "the sign is flipped",
    ),
    _torch(
        "kl_divergence",
        "mean over the latent dimensions instead of the sum",
        """
def kl_divergence(z_mean, z_log_var):
    return -0.5 * (1 + z_log_var - torch.exp(z_log_var) - z_mean ** 2).mean(dim=-1)
""",
        "the mean over the latent dimensions instead of the sum",
    ),
    _torch(
        "kl_divergence",
        "the factor 0.5 is missing",
        """
def kl_divergence(z_mean, z_log_var):
    return -(1 + z_log_var - torch.exp(z_log_var) - z_mean ** 2).sum(dim=-1)
""",
        "the factor 1/2 is missing",
    ),
    _torch(
        "kl_divergence",
        "z_log_var treated as log(sigma): sigma^2 = exp(2 gamma)",
        """
def kl_divergence(z_mean, z_log_var):
    log_variance = 2 * z_log_var  # wrong: z_log_var is already log(sigma^2)
    return -0.5 * (1 + log_variance - torch.exp(log_variance) - z_mean ** 2).sum(dim=-1)
""",
        "z_log_var used as log(sigma)",
    ),
    _torch(
        "kl_divergence",
        "summed over the batch too (a scalar)",
        """
def kl_divergence(z_mean, z_log_var):
    return -0.5 * (1 + z_log_var - torch.exp(z_log_var) - z_mean ** 2).sum()
""",
        "summed over the batch too",
    ),
    _torch(
        "kl_divergence",
        "computed through sigma = exp(gamma / 2): unstable in float32",
        """
def kl_divergence(z_mean, z_log_var):
    z_std = torch.exp(z_log_var / 2)
    return 0.5 * (z_std ** 2 + z_mean ** 2 - 1 - torch.log(z_std ** 2)).sum(dim=-1)
""",
        "not numerically stable",
    ),
    _torch(
        "kl_divergence",
        "computed in NumPy: no gradient",
        """
def kl_divergence(z_mean, z_log_var):
    mu, gamma = z_mean.detach().numpy(), z_log_var.detach().numpy()
    return torch.from_numpy(-0.5 * (1 + gamma - np.exp(gamma) - mu ** 2).sum(axis=-1))
""",
        "Gradients cannot flow through kl_divergence",
    ),
    # kl_divergence_std
    _torch(
        "kl_divergence_std",
        "log(sigma) instead of log(sigma^2)",
        """
def kl_divergence_std(z_mean, z_std):
    return 0.5 * (z_std ** 2 + z_mean ** 2 - 1 - torch.log(z_std)).sum(dim=-1)
""",
        "log(sigma) instead of log(sigma^2)",
        tampered=True,
    ),
    _torch(
        "kl_divergence_std",
        "sigma instead of sigma^2",
        """
def kl_divergence_std(z_mean, z_std):
    return 0.5 * (z_std + z_mean ** 2 - 1 - torch.log(z_std)).sum(dim=-1)
""",
        "sigma instead of sigma^2",
    ),
    _torch(
        "kl_divergence_std",
        "sign flipped",
        """
def kl_divergence_std(z_mean, z_std):
    return -0.5 * (z_std ** 2 + z_mean ** 2 - 1 - torch.log(z_std ** 2)).sum(dim=-1)
""",
        "the sign is flipped",
    ),
    _torch(
        "kl_divergence_std",
        "mean over the latent dimensions instead of the sum",
        """
def kl_divergence_std(z_mean, z_std):
    return 0.5 * (z_std ** 2 + z_mean ** 2 - 1 - torch.log(z_std ** 2)).mean(dim=-1)
""",
        "the mean over the latent dimensions instead of the sum",
    ),
    _torch(
        "kl_divergence_std",
        "z_std treated as a log-variance",
        """
def kl_divergence_std(z_mean, z_std):
    return -0.5 * (1 + z_std - torch.exp(z_std) - z_mean ** 2).sum(dim=-1)
""",
        "z_std used as a log-variance",
    ),
    _torch(
        "kl_divergence_std",
        "the factor 0.5 is missing",
        """
def kl_divergence_std(z_mean, z_std):
    return (z_std ** 2 + z_mean ** 2 - 1 - torch.log(z_std ** 2)).sum(dim=-1)
""",
        "the factor 1/2 is missing",
    ),
    # monte_carlo_kl
    _torch(
        "monte_carlo_kl",
        "sigma = exp(gamma) instead of exp(gamma / 2) in the sampling",
        _TORCH_MC.format(
            body="""eps = torch.randn((n_samples, *z_mean.shape), generator=generator)
    z_std = torch.exp(z_log_var)  # wrong: z_log_var is log(sigma^2)
    codings = z_mean + z_std * eps
    log_q = -torch.log(z_std) - 0.5 * ((codings - z_mean) / z_std) ** 2
    log_p = -0.5 * codings ** 2
    return (log_q - log_p).sum(dim=-1).mean(dim=0)"""
        ),
        "instead of sigma = exp(z_log_var / 2)",
    ),
    _torch(
        "monte_carlo_kl",
        "one epsilon shared across the batch",
        _TORCH_MC.format(
            body="""eps = torch.randn((n_samples, 1, z_mean.shape[-1]), generator=generator)
    codings = z_mean + torch.exp(z_log_var / 2) * eps
    log_q = -0.5 * (z_log_var + eps ** 2)
    log_p = -0.5 * codings ** 2
    return (log_q - log_p).sum(dim=-1).mean(dim=0)"""
        ),
        "shared across the batch",
    ),
    _torch(
        "monte_carlo_kl",
        "the log q term is missing (an estimate of -log p only)",
        _TORCH_MC.format(
            body="""eps = torch.randn((n_samples, *z_mean.shape), generator=generator)
    codings = z_mean + torch.exp(z_log_var / 2) * eps
    log_p = -0.5 * codings ** 2 - 0.5 * np.log(2 * np.pi)
    return (-log_p).sum(dim=-1).mean(dim=0)"""
        ),
        "the log q(z) term is missing",
    ),
    _torch(
        "monte_carlo_kl",
        "the seed is ignored (the global generator)",
        _TORCH_MC.format(
            body="""eps = torch.randn((n_samples, *z_mean.shape))
    codings = z_mean + torch.exp(z_log_var / 2) * eps
    log_q = -0.5 * (z_log_var + eps ** 2)
    log_p = -0.5 * codings ** 2
    return (log_q - log_p).sum(dim=-1).mean(dim=0)"""
        ),
        "the seed is ignored",
    ),
    _torch(
        "monte_carlo_kl",
        "the log-ratio averaged over the latent dimensions",
        _TORCH_MC.format(
            body="""eps = torch.randn((n_samples, *z_mean.shape), generator=generator)
    codings = z_mean + torch.exp(z_log_var / 2) * eps
    log_q = -0.5 * (z_log_var + eps ** 2)
    log_p = -0.5 * codings ** 2
    return (log_q - log_p).mean(dim=-1).mean(dim=0)"""
        ),
        "the mean over the latent dimensions instead of the sum",
    ),
    _torch(
        "monte_carlo_kl",
        "returns the closed form (calls kl_divergence)",
        """
def monte_carlo_kl(z_mean, z_log_var, n_samples, seed):
    return kl_divergence(z_mean, z_log_var)  # exact, so why sample?
""",
        "must not",
    ),
    _torch(
        "monte_carlo_kl",
        "computed in NumPy: not differentiable",
        _TORCH_MC.format(
            body="""eps = torch.randn((n_samples, *z_mean.shape), generator=generator).numpy()
    mu, gamma = z_mean.detach().numpy(), z_log_var.detach().numpy()
    codings = mu + np.exp(gamma / 2) * eps
    log_ratio = -0.5 * (gamma + eps ** 2) + 0.5 * codings ** 2
    return torch.from_numpy(log_ratio.sum(axis=-1).mean(axis=0))"""
        ),
        "monte_carlo_kl is not differentiable",
    ),
    _torch(
        "monte_carlo_kl",
        "the codings detached from the graph",
        _TORCH_MC.format(
            body="""eps = torch.randn((n_samples, *z_mean.shape), generator=generator)
    codings = (z_mean + torch.exp(z_log_var / 2) * eps).detach()
    log_q = -0.5 * (z_log_var + eps ** 2)
    log_p = -0.5 * codings ** 2
    return (log_q - log_p).sum(dim=-1).mean(dim=0)"""
        ),
        "with respect to z_mean",
    ),
    # vae_loss
    _torch(
        "vae_loss",
        "beta ignored",
        _torch_vae_loss(total="(reconstruction + kl).mean()"),
        "beta is ignored",
    ),
    _torch(
        "vae_loss",
        "KL averaged over the latent dimensions",
        _torch_vae_loss(
            kl="-0.5 * (1 + z_log_var - torch.exp(z_log_var) - z_mean ** 2).mean(dim=-1)"
        ),
        "the KL is averaged over the latent dimensions",
    ),
    _torch(
        "vae_loss",
        "cross-entropy averaged over the pixels",
        _torch_vae_loss(reconstruction="per_pixel.flatten(start_dim=1).mean(dim=1)"),
        "the cross-entropy is averaged over the pixels instead of summed",
    ),
    _torch(
        "vae_loss",
        "summed over the batch instead of averaged",
        _torch_vae_loss(total="(reconstruction + beta * kl).sum()"),
        "summed over the batch instead of averaged",
    ),
    _torch(
        "vae_loss",
        "naive cross-entropy through the sigmoid (unstable)",
        _torch_vae_loss(
            per_pixel=(
                "-(x * torch.log(torch.sigmoid(logits)) "
                "+ (1 - x) * torch.log(1 - torch.sigmoid(logits)))"
            )
        ),
        "not numerically stable",
    ),
    _torch(
        "vae_loss",
        "KL sign flipped",
        _torch_vae_loss(
            kl="0.5 * (1 + z_log_var - torch.exp(z_log_var) - z_mean ** 2).sum(dim=-1)"
        ),
        "the sign of the KL term is flipped",
    ),
    _torch(
        "vae_loss",
        "x and logits swapped in the cross-entropy",
        _torch_vae_loss(
            per_pixel='F.binary_cross_entropy_with_logits(x, logits, reduction="none")'
        ),
        "x and logits are swapped",
    ),
]

# --------------------------------------------------------------------------------------------
# TensorFlow (Keras 3) track
# --------------------------------------------------------------------------------------------

_KERAS_MC = """
def monte_carlo_kl(z_mean, z_log_var, n_samples, seed):
    {body}
"""

_KERAS_VAE_LOSS = """
def vae_loss(x, logits, z_mean, z_log_var, beta=1.0):
    x = ops.convert_to_tensor(x, "float32")
    per_pixel = {per_pixel}
    reconstruction = {reconstruction}
    kl = {kl}
    return {total}
"""


def _keras_vae_loss(
    per_pixel="ops.binary_crossentropy(x, logits, from_logits=True)",
    reconstruction="ops.sum(per_pixel, axis=(1, 2))",
    kl="-0.5 * ops.sum(1 + z_log_var - ops.exp(z_log_var) - ops.square(z_mean), axis=-1)",
    total="ops.mean(reconstruction + beta * kl)",
) -> str:
    return _KERAS_VAE_LOSS.format(
        per_pixel=per_pixel, reconstruction=reconstruction, kl=kl, total=total
    )


KERAS = [
    # kl_divergence
    _keras(
        "kl_divergence",
        "sign flipped",
        """
def kl_divergence(z_mean, z_log_var):
    return 0.5 * ops.sum(1 + z_log_var - ops.exp(z_log_var) - ops.square(z_mean), axis=-1)
""",
        "the sign is flipped",
    ),
    _keras(
        "kl_divergence",
        "mean over the latent dimensions instead of the sum",
        """
def kl_divergence(z_mean, z_log_var):
    return -0.5 * ops.mean(1 + z_log_var - ops.exp(z_log_var) - ops.square(z_mean), axis=-1)
""",
        "the mean over the latent dimensions instead of the sum",
    ),
    _keras(
        "kl_divergence",
        "the factor 0.5 is missing",
        """
def kl_divergence(z_mean, z_log_var):
    return -ops.sum(1 + z_log_var - ops.exp(z_log_var) - ops.square(z_mean), axis=-1)
""",
        "the factor 1/2 is missing",
    ),
    _keras(
        "kl_divergence",
        "z_log_var treated as log(sigma): sigma^2 = exp(2 gamma)",
        """
def kl_divergence(z_mean, z_log_var):
    log_variance = 2 * z_log_var  # wrong: z_log_var is already log(sigma^2)
    return -0.5 * ops.sum(1 + log_variance - ops.exp(log_variance) - ops.square(z_mean), axis=-1)
""",
        "z_log_var used as log(sigma)",
    ),
    _keras(
        "kl_divergence",
        "summed over the batch too (a scalar)",
        """
def kl_divergence(z_mean, z_log_var):
    return -0.5 * ops.sum(1 + z_log_var - ops.exp(z_log_var) - ops.square(z_mean))
""",
        "summed over the batch too",
    ),
    _keras(
        "kl_divergence",
        "computed through sigma = exp(gamma / 2): unstable in float32",
        """
def kl_divergence(z_mean, z_log_var):
    z_std = ops.exp(z_log_var / 2)
    return 0.5 * ops.sum(ops.square(z_std) + ops.square(z_mean) - 1
                         - ops.log(ops.square(z_std)), axis=-1)
""",
        "not numerically stable",
    ),
    _keras(
        "kl_divergence",
        "computed in NumPy: no gradient",
        """
def kl_divergence(z_mean, z_log_var):
    mu, gamma = ops.convert_to_numpy(z_mean), ops.convert_to_numpy(z_log_var)
    return ops.convert_to_tensor(-0.5 * (1 + gamma - np.exp(gamma) - mu ** 2).sum(axis=-1))
""",
        "Gradients cannot flow through kl_divergence",
    ),
    # kl_divergence_std
    _keras(
        "kl_divergence_std",
        "log(sigma) instead of log(sigma^2)",
        """
def kl_divergence_std(z_mean, z_std):
    return 0.5 * ops.sum(ops.square(z_std) + ops.square(z_mean) - 1 - ops.log(z_std), axis=-1)
""",
        "log(sigma) instead of log(sigma^2)",
        tampered=True,
    ),
    _keras(
        "kl_divergence_std",
        "sigma instead of sigma^2",
        """
def kl_divergence_std(z_mean, z_std):
    return 0.5 * ops.sum(z_std + ops.square(z_mean) - 1 - ops.log(z_std), axis=-1)
""",
        "sigma instead of sigma^2",
    ),
    _keras(
        "kl_divergence_std",
        "sign flipped",
        """
def kl_divergence_std(z_mean, z_std):
    variance = ops.square(z_std)
    return -0.5 * ops.sum(variance + ops.square(z_mean) - 1 - ops.log(variance), axis=-1)
""",
        "the sign is flipped",
    ),
    _keras(
        "kl_divergence_std",
        "mean over the latent dimensions instead of the sum",
        """
def kl_divergence_std(z_mean, z_std):
    variance = ops.square(z_std)
    return 0.5 * ops.mean(variance + ops.square(z_mean) - 1 - ops.log(variance), axis=-1)
""",
        "the mean over the latent dimensions instead of the sum",
    ),
    _keras(
        "kl_divergence_std",
        "z_std treated as a log-variance",
        """
def kl_divergence_std(z_mean, z_std):
    return -0.5 * ops.sum(1 + z_std - ops.exp(z_std) - ops.square(z_mean), axis=-1)
""",
        "z_std used as a log-variance",
    ),
    _keras(
        "kl_divergence_std",
        "the factor 0.5 is missing",
        """
def kl_divergence_std(z_mean, z_std):
    variance = ops.square(z_std)
    return ops.sum(variance + ops.square(z_mean) - 1 - ops.log(variance), axis=-1)
""",
        "the factor 1/2 is missing",
    ),
    # monte_carlo_kl
    _keras(
        "monte_carlo_kl",
        "sigma = exp(gamma) instead of exp(gamma / 2) in the sampling",
        _KERAS_MC.format(
            body="""eps = keras.random.normal((n_samples, *ops.shape(z_mean)), seed=seed)
    z_std = ops.exp(z_log_var)  # wrong: z_log_var is log(sigma^2)
    codings = z_mean + z_std * eps
    log_q = -ops.log(z_std) - 0.5 * ops.square((codings - z_mean) / z_std)
    log_p = -0.5 * ops.square(codings)
    return ops.mean(ops.sum(log_q - log_p, axis=-1), axis=0)"""
        ),
        "instead of sigma = exp(z_log_var / 2)",
    ),
    _keras(
        "monte_carlo_kl",
        "one epsilon shared across the batch",
        _KERAS_MC.format(
            body="""eps = keras.random.normal((n_samples, 1, ops.shape(z_mean)[-1]), seed=seed)
    codings = z_mean + ops.exp(z_log_var / 2) * eps
    log_q = -0.5 * (z_log_var + ops.square(eps))
    log_p = -0.5 * ops.square(codings)
    return ops.mean(ops.sum(log_q - log_p, axis=-1), axis=0)"""
        ),
        "shared across the batch",
    ),
    _keras(
        "monte_carlo_kl",
        "the log q term is missing (an estimate of -log p only)",
        _KERAS_MC.format(
            body="""eps = keras.random.normal((n_samples, *ops.shape(z_mean)), seed=seed)
    codings = z_mean + ops.exp(z_log_var / 2) * eps
    log_p = -0.5 * ops.square(codings) - 0.5 * np.log(2 * np.pi)
    return ops.mean(ops.sum(-log_p, axis=-1), axis=0)"""
        ),
        "the log q(z) term is missing",
    ),
    _keras(
        "monte_carlo_kl",
        "the seed is ignored (the global generator)",
        _KERAS_MC.format(
            body="""eps = keras.random.normal((n_samples, *ops.shape(z_mean)))
    codings = z_mean + ops.exp(z_log_var / 2) * eps
    log_q = -0.5 * (z_log_var + ops.square(eps))
    log_p = -0.5 * ops.square(codings)
    return ops.mean(ops.sum(log_q - log_p, axis=-1), axis=0)"""
        ),
        "the seed is ignored",
    ),
    _keras(
        "monte_carlo_kl",
        "the log-ratio averaged over the latent dimensions",
        _KERAS_MC.format(
            body="""eps = keras.random.normal((n_samples, *ops.shape(z_mean)), seed=seed)
    codings = z_mean + ops.exp(z_log_var / 2) * eps
    log_q = -0.5 * (z_log_var + ops.square(eps))
    log_p = -0.5 * ops.square(codings)
    return ops.mean(ops.mean(log_q - log_p, axis=-1), axis=0)"""
        ),
        "the mean over the latent dimensions instead of the sum",
    ),
    _keras(
        "monte_carlo_kl",
        "returns the closed form (calls kl_divergence)",
        """
def monte_carlo_kl(z_mean, z_log_var, n_samples, seed):
    return kl_divergence(z_mean, z_log_var)  # exact, so why sample?
""",
        "must not",
    ),
    _keras(
        "monte_carlo_kl",
        "computed in NumPy: not differentiable",
        _KERAS_MC.format(
            body="""eps = keras.random.normal((n_samples, *ops.shape(z_mean)), seed=seed)
    eps = ops.convert_to_numpy(eps)
    mu, gamma = ops.convert_to_numpy(z_mean), ops.convert_to_numpy(z_log_var)
    codings = mu + np.exp(gamma / 2) * eps
    log_ratio = -0.5 * (gamma + eps ** 2) + 0.5 * codings ** 2
    return ops.convert_to_tensor(log_ratio.sum(axis=-1).mean(axis=0))"""
        ),
        "monte_carlo_kl is not differentiable",
    ),
    _keras(
        "monte_carlo_kl",
        "the codings cut off from the gradient (stop_gradient)",
        _KERAS_MC.format(
            body="""eps = keras.random.normal((n_samples, *ops.shape(z_mean)), seed=seed)
    codings = ops.stop_gradient(z_mean + ops.exp(z_log_var / 2) * eps)
    log_q = -0.5 * (z_log_var + ops.square(eps))
    log_p = -0.5 * ops.square(codings)
    return ops.mean(ops.sum(log_q - log_p, axis=-1), axis=0)"""
        ),
        "with respect to z_mean",
    ),
    # vae_loss
    _keras(
        "vae_loss",
        "beta ignored",
        _keras_vae_loss(total="ops.mean(reconstruction + kl)"),
        "beta is ignored",
    ),
    _keras(
        "vae_loss",
        "KL averaged over the latent dimensions",
        _keras_vae_loss(
            kl="-0.5 * ops.mean(1 + z_log_var - ops.exp(z_log_var) - ops.square(z_mean), axis=-1)"
        ),
        "the KL is averaged over the latent dimensions",
    ),
    _keras(
        "vae_loss",
        "cross-entropy averaged over the pixels",
        _keras_vae_loss(reconstruction="ops.mean(per_pixel, axis=(1, 2))"),
        "the cross-entropy is averaged over the pixels instead of summed",
    ),
    _keras(
        "vae_loss",
        "summed over the batch instead of averaged",
        _keras_vae_loss(total="ops.sum(reconstruction + beta * kl)"),
        "summed over the batch instead of averaged",
    ),
    _keras(
        "vae_loss",
        "naive cross-entropy through the sigmoid (unstable)",
        _keras_vae_loss(
            per_pixel=(
                "-(x * ops.log(ops.sigmoid(logits)) + (1 - x) * ops.log(1 - ops.sigmoid(logits)))"
            )
        ),
        "not numerically stable",
    ),
    _keras(
        "vae_loss",
        "KL sign flipped",
        _keras_vae_loss(
            kl="0.5 * ops.sum(1 + z_log_var - ops.exp(z_log_var) - ops.square(z_mean), axis=-1)"
        ),
        "the sign of the KL term is flipped",
    ),
    _keras(
        "vae_loss",
        "x and logits swapped in the cross-entropy",
        _keras_vae_loss(per_pixel="ops.binary_crossentropy(logits, x, from_logits=True)"),
        "x and logits are swapped",
    ),
]

REFERENCE_ONLY = [
    reference_only(
        A,
        "pytorch",
        "kl_divergence",
        """
from vaecourse.torch import kl_divergence as reference


def kl_divergence(z_mean, z_log_var):
    return reference(z_mean, z_log_var)
""",
    ),
    reference_only(
        A,
        "pytorch",
        "kl_divergence_std",
        """
import vaecourse.torch as reference


def kl_divergence_std(z_mean, z_std):
    return reference.kl_divergence_std(z_mean, z_std)
""",
    ),
    reference_only(
        A,
        "pytorch",
        "vae_loss",
        """
import vaecourse.torch


def vae_loss(x, logits, z_mean, z_log_var, beta=1.0):
    return vaecourse.torch.vae_loss(x, logits, z_mean, z_log_var, beta)
""",
    ),
    reference_only(
        A,
        "tensorflow",
        "kl_divergence",
        """
from vaecourse.keras import kl_divergence as reference


def kl_divergence(z_mean, z_log_var):
    return reference(z_mean, z_log_var)
""",
    ),
    reference_only(
        A,
        "tensorflow",
        "kl_divergence_std",
        """
import vaecourse.keras as reference


def kl_divergence_std(z_mean, z_std):
    return reference.kl_divergence_std(z_mean, z_std)
""",
    ),
    reference_only(
        A,
        "tensorflow",
        "vae_loss",
        """
import vaecourse.keras


def vae_loss(x, logits, z_mean, z_log_var, beta=1.0):
    return vaecourse.keras.vae_loss(x, logits, z_mean, z_log_var, beta)
""",
    ),
]

CATALOGUE = TORCH + KERAS + REFERENCE_ONLY


# --------------------------------------------------------------------------------------------
# Right answers written differently from the solution: each must keep every point
# --------------------------------------------------------------------------------------------

_right = right_answers_of(A)


ALTERNATIVES = [
    _right(
        "pytorch",
        "kl_divergence",
        "expm1, tensor methods and dim=1",
        """
def kl_divergence(z_mean, z_log_var):
    return 0.5 * (torch.expm1(z_log_var) - z_log_var + z_mean.pow(2)).sum(dim=1)
""",
    ),
    _right(
        "pytorch",
        "kl_divergence_std",
        "torch.distributions' Normal-to-Normal KL",
        """
from torch.distributions import Normal
from torch.distributions import kl_divergence as distributions_kl


def kl_divergence_std(z_mean, z_std):
    prior = Normal(torch.zeros_like(z_mean), torch.ones_like(z_std))
    return distributions_kl(Normal(z_mean, z_std), prior).sum(dim=-1)
""",
    ),
    _right(
        "pytorch",
        "kl_divergence_std",
        "2 * log(sigma)",
        """
def kl_divergence_std(z_mean, z_std):
    return (0.5 * (z_std ** 2 + z_mean ** 2 - 1) - torch.log(z_std)).sum(dim=-1)
""",
    ),
    _right(
        "pytorch",
        "kl_divergence_std",
        "log(sigma ** 2): squares sigma first",
        """
def kl_divergence_std(z_mean, z_std):
    variance = z_std ** 2
    return 0.5 * (variance + z_mean ** 2 - 1 - torch.log(variance)).sum(dim=-1)
""",
    ),
    _right(
        "pytorch",
        "monte_carlo_kl",
        "Normal.log_prob on the sampled codings",
        """
from torch.distributions import Normal


def monte_carlo_kl(z_mean, z_log_var, n_samples, seed):
    if not isinstance(seed, torch.Generator):
        seed = torch.Generator().manual_seed(int(seed))
    z_std = torch.exp(0.5 * z_log_var)
    eps = torch.randn(n_samples, *z_mean.shape, generator=seed)
    codings = z_mean + z_std * eps
    log_ratio = Normal(z_mean, z_std).log_prob(codings) - Normal(0.0, 1.0).log_prob(codings)
    return log_ratio.sum(dim=2).mean(dim=0)
""",
    ),
    _right(
        "pytorch",
        "vae_loss",
        "softplus cross-entropy; calls kl_divergence; torch.tensor(x) makes PyTorch warn",
        """
def vae_loss(x, logits, z_mean, z_log_var, beta=1.0):
    x = torch.tensor(x)  # copies a tensor: PyTorch warns (UserWarning)
    reconstruction = (F.softplus(logits) - logits * x).sum(dim=(1, 2))
    return torch.mean(reconstruction + beta * kl_divergence(z_mean, z_log_var))
""",
    ),
    _right(
        "pytorch",
        "vae_loss",
        "the stable formula of assignment 1, written out",
        """
def vae_loss(x, logits, z_mean, z_log_var, beta=1.0):
    per_pixel = torch.clamp(logits, min=0) - logits * x + torch.log1p(torch.exp(-logits.abs()))
    reconstruction = per_pixel.reshape(len(x), -1).sum(dim=1)
    kl = 0.5 * (z_log_var.exp() + z_mean ** 2 - 1 - z_log_var).sum(dim=1)
    return reconstruction.mean() + beta * kl.mean()
""",
    ),
    _right(
        "tensorflow",
        "kl_divergence",
        "plain TensorFlow ops and expm1",
        """
def kl_divergence(z_mean, z_log_var):
    return 0.5 * tf.reduce_sum(tf.math.expm1(z_log_var) - z_log_var + tf.square(z_mean), axis=1)
""",
    ),
    _right(
        "tensorflow",
        "kl_divergence_std",
        "2 * log(sigma), plain TensorFlow",
        """
def kl_divergence_std(z_mean, z_std):
    per_dim = 0.5 * (tf.square(z_std) + tf.square(z_mean) - 1) - tf.math.log(z_std)
    return tf.reduce_sum(per_dim, axis=-1)
""",
    ),
    _right(
        "tensorflow",
        "kl_divergence_std",
        "the log-variance form of log(sigma^2)",
        """
def kl_divergence_std(z_mean, z_std):
    log_var = 2 * ops.log(z_std)
    return -0.5 * ops.sum(1 + log_var - ops.exp(log_var) - ops.square(z_mean), axis=-1)
""",
    ),
    _right(
        "tensorflow",
        "kl_divergence_std",
        "log(sigma ** 2): squares sigma first",
        """
def kl_divergence_std(z_mean, z_std):
    variance = ops.square(z_std)
    return 0.5 * ops.sum(variance + ops.square(z_mean) - 1 - ops.log(variance), axis=-1)
""",
    ),
    _right(
        "tensorflow",
        "monte_carlo_kl",
        "keras.random.normal with a tensor mean and stddev",
        """
def monte_carlo_kl(z_mean, z_log_var, n_samples, seed):
    z_std = ops.exp(z_log_var / 2)
    codings = keras.random.normal((n_samples, *ops.shape(z_mean)), mean=z_mean, stddev=z_std,
                                  seed=seed)
    log_2pi = np.log(2 * np.pi)
    log_q = -0.5 * (log_2pi + z_log_var + ops.square((codings - z_mean) / z_std))
    log_p = -0.5 * (log_2pi + ops.square(codings))
    return ops.mean(ops.sum(log_q - log_p, axis=2), axis=0)
""",
    ),
    _right(
        "tensorflow",
        "vae_loss",
        "tf.nn.sigmoid_cross_entropy_with_logits; calls kl_divergence",
        """
def vae_loss(x, logits, z_mean, z_log_var, beta=1.0):
    per_pixel = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.cast(x, tf.float32),
                                                        logits=logits)
    return tf.reduce_mean(tf.reduce_sum(per_pixel, axis=[1, 2])
                          + beta * kl_divergence(z_mean, z_log_var))
""",
    ),
    _right(
        "tensorflow",
        "vae_loss",
        "the stable formula of assignment 1, written out",
        """
def vae_loss(x, logits, z_mean, z_log_var, beta=1.0):
    per_pixel = ops.relu(logits) - logits * x + ops.log1p(ops.exp(-ops.abs(logits)))
    reconstruction = ops.sum(ops.reshape(per_pixel, (ops.shape(logits)[0], -1)), axis=1)
    kl = 0.5 * ops.sum(ops.exp(z_log_var) + ops.square(z_mean) - 1 - z_log_var, axis=1)
    return ops.mean(reconstruction) + beta * ops.mean(kl)
""",
    ),
    _right(
        "pytorch",
        "vae_loss",
        "keyword arguments, targets named first",
        """
def vae_loss(x, logits, z_mean, z_log_var, beta=1.0):
    per_pixel = F.binary_cross_entropy_with_logits(target=x, input=logits, reduction="none")
    kl = 0.5 * (torch.exp(z_log_var) + z_mean ** 2 - 1 - z_log_var).sum(dim=1)
    return per_pixel.sum(dim=(1, 2)).mean() + beta * kl.mean()
""",
    ),
    _right(
        "tensorflow",
        "vae_loss",
        "keyword arguments, logits named first",
        """
def vae_loss(x, logits, z_mean, z_log_var, beta=1.0):
    per_pixel = ops.binary_crossentropy(output=logits, target=x, from_logits=True)
    kl = 0.5 * ops.sum(ops.exp(z_log_var) + ops.square(z_mean) - 1 - z_log_var, axis=1)
    return ops.mean(ops.sum(per_pixel, axis=(1, 2))) + beta * ops.mean(kl)
""",
    ),
]
