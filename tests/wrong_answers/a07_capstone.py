"""Realistic wrong answers for 07-capstone, both tracks.

The one autograded answer is ``improved_samples(n, seed)``. Each ``code`` replaces its whole cell;
the names of the cells before it are available: np, decode, prior_samples, encode, the models
(``baseline``, ``weak`` for beta = 0.1, ``control``, ``sigma_vae``, ``conv_vae``) and their fitted
Gaussians (``weak_gaussian``, ``conv_gaussian``: (mean, cov)), X_train, X_test, and torch / keras,
ops. The solution draws beta = 0.1's codings from its fitted Gaussian at a temperature of 1.5;
``ALTERNATIVES`` are other correct improvements, written differently.
"""

from __future__ import annotations

from wrong_answers import right_answers_of, wrong_answers_of

A = "07-capstone"

_SAMPLES = """
def improved_samples(n, seed):
    rng = {rng}
    codings = {codings}
    return {images}
"""


def _samples(
    rng="np.random.default_rng(seed)",
    codings="rng.multivariate_normal(weak_gaussian[0], 2.25 * weak_gaussian[1], size=n)",
    images="decode(weak, codings)",
) -> str:
    return _SAMPLES.format(rng=rng, codings=codings, images=images)


# The same mistakes in both tracks: NumPy codings, decoded by the notebook's own decode helper.
_SHARED = [
    (
        "the baseline itself: dense_vae with codings from N(0, I)",
        """
def improved_samples(n, seed):
    return prior_samples(baseline, n, seed)
""",
        "no better than the baseline",
    ),
    (
        "a bad scale: codings drawn with half the fitted standard deviations (temperature 0.5)",
        _samples(
            codings="rng.multivariate_normal(weak_gaussian[0], 0.25 * weak_gaussian[1], size=n)"
        ),
        "worse than the baseline",
    ),
    (
        "the seed is ignored (a generator without a seed)",
        _samples(rng="np.random.default_rng()"),
        "the seed is ignored",
    ),
    (
        "a fixed set of images: the same codings for every seed",
        _samples(rng="np.random.default_rng(0)"),
        "two different seeds gave the same samples",
    ),
    (
        "one coding for all the samples",
        _samples(codings="np.repeat(rng.multivariate_normal(*weak_gaussian, size=1), n, axis=0)"),
        "every sample is the same image",
    ),
    (
        "returns test images, drawn at random",
        """
def improved_samples(n, seed):
    return X_test[np.random.default_rng(seed).choice(len(X_test), size=n, replace=False)]
""",
        "copies of Fashion-MNIST images",
    ),
    (
        "returns training images, drawn at random",
        """
def improved_samples(n, seed):
    return X_train[np.random.default_rng(seed).integers(0, len(X_train), size=n)]
""",
        "copies of Fashion-MNIST images",
    ),
    (
        "float64 images",
        _samples(images="decode(weak, codings).astype(np.float64)"),
        "expected float32",
    ),
    (
        "flat images of shape (n, 784)",
        _samples(images="decode(weak, codings).reshape(n, 784)"),
        "Reshape them to (n, 28, 28)",
    ),
]

_TORCH = [
    (
        "returns the decoder's logits (no sigmoid)",
        _samples(
            images="weak.decode_logits(torch.from_numpy(codings.astype(np.float32)))"
            ".detach().numpy()"
        ),
        "These look like the decoder's logits",
        True,
    ),
    (
        "returns a tensor",
        _samples(images="torch.from_numpy(decode(weak, codings))"),
        "return a NumPy array",
        False,
    ),
]

_KERAS = [
    (
        "returns the decoder's logits (no sigmoid)",
        _samples(images='ops.convert_to_numpy(weak.decoder(codings.astype("float32")))'),
        "These look like the decoder's logits",
        True,
    ),
    (
        "returns a tensor",
        _samples(images='weak.decode(codings.astype("float32"))'),
        "return a NumPy array",
        False,
    ),
]

CATALOGUE = [
    make("improved_samples", mistake, code, message, tampered)
    for make, own in (
        (wrong_answers_of(A, "pytorch"), _TORCH),
        (wrong_answers_of(A, "tensorflow"), _KERAS),
    )
    for mistake, code, message, tampered in [(*entry, False) for entry in _SHARED] + own
]


# --------------------------------------------------------------------------------------------
# Other correct improvements, written differently from the solution: each must keep every point
# --------------------------------------------------------------------------------------------

_right = right_answers_of(A)

_CONV_CHOLESKY = """
def improved_samples(n, seed):
    mean, cov = conv_gaussian  # the convolutional VAE, its fitted Gaussian, temperature 1.5
    noise = np.random.default_rng(seed).standard_normal((n, len(mean)))
    return decode(conv_vae, mean + 1.5 * noise @ np.linalg.cholesky(cov).T)
"""

_EMPIRICAL_POSTERIOR = """
posterior_means, posterior_log_vars = encode(weak, X_train)


def improved_samples(n, seed):
    rng = np.random.default_rng(seed)
    picked = rng.integers(0, len(posterior_means), size=n)
    noise = rng.standard_normal((n, posterior_means.shape[1]))
    codings = posterior_means[picked] + np.exp(posterior_log_vars[picked] / 2) * noise
    return decode(weak, codings)
"""

ALTERNATIVES = [
    *(
        _right(track, "improved_samples", variant, code)
        for track in ("pytorch", "tensorflow")
        for variant, code in (
            (
                "the conv VAE, its fitted Gaussian at temperature 1.5, a Cholesky factor",
                _CONV_CHOLESKY,
            ),
            (
                "the empirical aggregate posterior: a random training image's posterior, sampled",
                _EMPIRICAL_POSTERIOR,
            ),
        )
    ),
    _right(
        "pytorch",
        "improved_samples",
        "the baseline at temperature 1.5, a torch.Generator, decoded in chunks",
        """
def improved_samples(n, seed):
    codings = 1.5 * torch.randn(n, 10, generator=torch.Generator().manual_seed(seed))
    with torch.inference_mode():
        return torch.cat([baseline.decode(chunk) for chunk in codings.split(1000)]).numpy()
""",
    ),
    _right(
        "tensorflow",
        "improved_samples",
        "the baseline at temperature 1.5, keras.random with the seed",
        """
def improved_samples(n, seed):
    codings = 1.5 * keras.random.normal((n, 10), seed=seed)
    return ops.convert_to_numpy(baseline.decode(codings))
""",
    ),
]
