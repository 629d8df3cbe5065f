"""Realistic wrong answers for 06-sampling-distributions, both tracks.

Each ``code`` replaces the whole answer cell with that ``grade_id``; the names of the notebook's
setup cell (np, torch / keras, ops, and the rest) are available to it. The three answers are
NumPy functions in both tracks, so most mistakes are the same code in both; a few use the track's
own random functions, as students of that track would.
"""

from __future__ import annotations

from wrong_answers import right_answers_of, wrong_answers_of

A = "06-sampling-distributions"

_torch = wrong_answers_of(A, "pytorch")
_keras = wrong_answers_of(A, "tensorflow")


# --------------------------------------------------------------------------------------------
# sample_prior
# --------------------------------------------------------------------------------------------

_PRIOR = """
def sample_prior(n, codings_size, kind="gaussian", scale=1.0, seed=None):
    rng = {rng}
    if kind == "gaussian":
        codings = {gaussian}
    elif kind == "uniform":
        codings = {uniform}
    else:
        {otherwise}
    return {result}
"""


def _prior(
    rng="np.random.default_rng(seed)",
    gaussian="rng.normal(0.0, scale, size=(n, codings_size))",
    uniform="rng.uniform(-scale, scale, size=(n, codings_size))",
    otherwise='raise ValueError(f"unknown kind {kind!r}")',
    result="codings.astype(np.float32)",
) -> str:
    return _PRIOR.format(
        rng=rng, gaussian=gaussian, uniform=uniform, otherwise=otherwise, result=result
    )


_PRIOR_MISTAKES = [
    (
        "scale used as the variance: N(0, scale) instead of N(0, scale^2)",
        _prior(gaussian="rng.normal(0.0, np.sqrt(scale), size=(n, codings_size))"),
        "scale is used as the variance",
    ),
    (
        "U(0, scale) instead of U(-scale, scale)",
        _prior(uniform="rng.uniform(0.0, scale, size=(n, codings_size))"),
        "U(0, scale) instead of U(-scale, scale)",
    ),
    (
        "scale taken as the width of the interval: U(-scale / 2, scale / 2)",
        _prior(uniform="rng.uniform(-scale / 2, scale / 2, size=(n, codings_size))"),
        "scale is the half-width, not the width",
    ),
    (
        "the seed is ignored",
        _prior(rng="np.random.default_rng()"),
        "the seed is ignored",
    ),
    (
        "the seed replaced by a constant",
        _prior(rng="np.random.default_rng(0)"),
        "two different seeds gave the same draws",
    ),
    (
        "an unknown kind silently gives uniform draws",
        _prior(otherwise="codings = rng.uniform(-scale, scale, size=(n, codings_size))"),
        "instead of raising a ValueError",
    ),
    (
        "returns float64 (NumPy's default)",
        _prior(result="codings"),
        "dtype float64",
    ),
    (
        "one row per dimension: shape (codings_size, n)",
        _prior(result="codings.T.astype(np.float32)"),
        "which is transposed",
    ),
]

_TORCH_PRIOR = """
def sample_prior(n, codings_size, kind="gaussian", scale=1.0, seed=None):
    generator = {generator}
    if kind == "gaussian":
        codings = torch.randn(n, codings_size, generator=generator) * scale
    elif kind == "uniform":
        codings = {uniform}
    else:
        raise ValueError(f"unknown kind {{kind!r}}")
    return {result}
"""


def _torch_prior(
    generator="torch.Generator().manual_seed(seed) if seed is not None else None",
    uniform="(2 * torch.rand(n, codings_size, generator=generator) - 1) * scale",
    result="codings.numpy()",
) -> str:
    return _TORCH_PRIOR.format(generator=generator, uniform=uniform, result=result)


_TORCH_PRIOR_MISTAKES = [
    (
        "torch.rand times scale: U(0, scale)",
        _torch_prior(uniform="torch.rand(n, codings_size, generator=generator) * scale"),
        "U(0, scale) instead of U(-scale, scale)",
    ),
    (
        "an unseeded torch.Generator() for seed=None: the same draws at every call",
        """
def sample_prior(n, codings_size, kind="gaussian", scale=1.0, seed=None):
    generator = torch.Generator()
    if seed is not None:
        generator.manual_seed(seed)
    if kind == "gaussian":
        codings = torch.randn(n, codings_size, generator=generator) * scale
    elif kind == "uniform":
        codings = (2 * torch.rand(n, codings_size, generator=generator) - 1) * scale
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return codings.numpy()
""",
        "two calls with seed=None gave the same draws",
    ),
    (
        "returns a torch tensor",
        _torch_prior(result="codings"),
        "return a NumPy array",
    ),
]

_KERAS_PRIOR = """
def sample_prior(n, codings_size, kind="gaussian", scale=1.0, seed=None):
    if kind == "gaussian":
        codings = keras.random.normal((n, codings_size), stddev=scale, seed=seed)
    elif kind == "uniform":
        codings = {uniform}
    else:
        raise ValueError(f"unknown kind {{kind!r}}")
    return {result}
"""


def _keras_prior(
    uniform="keras.random.uniform((n, codings_size), minval=-scale, maxval=scale, seed=seed)",
    result="ops.convert_to_numpy(codings)",
) -> str:
    return _KERAS_PRIOR.format(uniform=uniform, result=result)


_KERAS_PRIOR_MISTAKES = [
    (
        "keras.random.uniform with its default minval=0: U(0, scale)",
        _keras_prior(uniform="keras.random.uniform((n, codings_size), maxval=scale, seed=seed)"),
        "U(0, scale) instead of U(-scale, scale)",
    ),
    (
        "returns a Keras tensor",
        _keras_prior(result="codings"),
        "return a NumPy array",
    ),
]


# --------------------------------------------------------------------------------------------
# matched_uniform_half_width
# --------------------------------------------------------------------------------------------


def _half_width(formula: str) -> str:
    return f"""
import math


def matched_uniform_half_width(std=1.0):
    return {formula}
"""


_HALF_WIDTH_MISTAKES = [
    ("sqrt(12) * std: the width, not the half-width", _half_width("math.sqrt(12) * std"), "WIDTH"),
    ("3 * std: three standard deviations", _half_width("3 * std"), "three standard deviations"),
    ("sqrt(3 * std): the root of the std", _half_width("math.sqrt(3 * std)"), "takes the root"),
    (
        "sqrt(3) * std ** 2: the variance for the std",
        _half_width("math.sqrt(3) * std ** 2"),
        "uses the variance",
    ),
]
# The tampered entry of both tracks: cheap, and nothing else depends on its tests.
_HALF_WIDTH_TAMPERED = (
    "std / sqrt(3): upside down",
    _half_width("std / math.sqrt(3)"),
    "upside down",
)


# --------------------------------------------------------------------------------------------
# fit_aggregate_posterior
# --------------------------------------------------------------------------------------------


def _fit(body: str) -> str:
    return f"""
def fit_aggregate_posterior(z_means):
{body}
"""


_FIT_MISTAKES = [
    (
        "ddof=0: divides by N",
        _fit("    return z_means.mean(axis=0), np.cov(z_means, rowvar=False, ddof=0)"),
        "it divides by N (ddof=0",
    ),
    (
        "np.cov without rowvar=False: the covariance of the transposed array",
        _fit("    return z_means.mean(axis=0), np.cov(z_means)"),
        "covariance of the transposed array",
    ),
    (
        "a diagonal covariance (the variances only)",
        _fit("    return z_means.mean(axis=0), np.diag(z_means.var(axis=0, ddof=1))"),
        "it holds only the variances",
    ),
    (
        "the codings not centred",
        _fit("    return z_means.mean(axis=0), z_means.T @ z_means / (len(z_means) - 1)"),
        "the codings are not centred",
    ),
    (
        "centred in place: the caller's codings change",
        _fit(
            "    mean = z_means.mean(axis=0)\n"
            "    z_means -= mean\n"
            "    return mean, z_means.T @ z_means / (len(z_means) - 1)"
        ),
        "changed its input z_means",
    ),
    (
        "returns (cov, mean)",
        _fit("    return np.cov(z_means, rowvar=False), z_means.mean(axis=0)"),
        "the order is (mean, cov)",
    ),
    (
        "the mean over axis 1 (over the dimensions)",
        _fit("    return z_means.mean(axis=1), np.cov(z_means, rowvar=False)"),
        "average over axis 0",
    ),
]


def _track(make, own_prior_mistakes):
    return [
        *(make("sample_prior", *entry) for entry in _PRIOR_MISTAKES + own_prior_mistakes),
        *(make("matched_uniform_half_width", *entry) for entry in _HALF_WIDTH_MISTAKES),
        make("matched_uniform_half_width", *_HALF_WIDTH_TAMPERED, tampered=True),
        *(make("fit_aggregate_posterior", *entry) for entry in _FIT_MISTAKES),
    ]


CATALOGUE = _track(_torch, _TORCH_PRIOR_MISTAKES) + _track(_keras, _KERAS_PRIOR_MISTAKES)


# --------------------------------------------------------------------------------------------
# Right answers written differently from the solution: each must keep every point
# --------------------------------------------------------------------------------------------

_right = right_answers_of(A)

_NUMPY_PRIOR = """
def sample_prior(n, codings_size, kind="gaussian", scale=1.0, seed=None):
    draw = {
        "gaussian": lambda rng, shape: scale * rng.standard_normal(shape, dtype=np.float32),
        "uniform": lambda rng, shape: (scale * (2 * rng.random(shape) - 1)).astype(np.float32),
    }
    if kind not in draw:
        raise ValueError("kind must be 'gaussian' or 'uniform'")
    return draw[kind](np.random.default_rng(seed), (n, codings_size))
"""

_HALF_WIDTHS = [
    ("three over the square root of three", "std * 3 / math.sqrt(3)"),
    ("half of sqrt(12) * std", "math.sqrt(12) * std / 2"),
    ("the root of 3 std^2, as a NumPy float", "np.sqrt(3 * std**2)"),
]

_FITS = [
    (
        "centred by hand, in float32, returned as a list",
        """
def fit_aggregate_posterior(z_means):
    mean = z_means.mean(axis=0)
    centred = z_means - mean
    return [mean, centred.T @ centred / (len(z_means) - 1)]
""",
    ),
    (
        "np.cov of the transpose, and np.average",
        """
def fit_aggregate_posterior(z_means):
    return np.average(z_means, axis=0), np.cov(z_means.T)
""",
    ),
    (
        "einsum over the outer products",
        """
def fit_aggregate_posterior(z_means):
    z = np.array(z_means, dtype=np.float64)
    mean = z.sum(axis=0) / len(z)
    centred = z - mean
    return mean, np.einsum("ni,nj->ij", centred, centred) / (len(z) - 1)
""",
    ),
]

ALTERNATIVES = [
    _right(
        "pytorch",
        "sample_prior",
        "a seeded torch.Generator, Tensor.uniform_, .numpy()",
        """
def sample_prior(n, codings_size, kind="gaussian", scale=1.0, seed=None):
    generator = None if seed is None else torch.Generator().manual_seed(seed)
    if kind == "gaussian":
        codings = scale * torch.randn(n, codings_size, generator=generator)
    elif kind == "uniform":
        codings = torch.empty(n, codings_size).uniform_(-scale, scale, generator=generator)
    else:
        raise ValueError(f"unknown kind: {kind}")
    return codings.numpy()
""",
    ),
    _right(
        "tensorflow",
        "sample_prior",
        "keras.random.normal and keras.random.uniform with the seed",
        _keras_prior(),
    ),
    _right(
        "pytorch",
        "fit_aggregate_posterior",
        "torch.mean and torch.cov, converted back to NumPy",
        """
def fit_aggregate_posterior(z_means):
    z = torch.as_tensor(z_means, dtype=torch.float64)
    return z.mean(dim=0).numpy(), torch.cov(z.T).numpy()
""",
    ),
    _right(
        "tensorflow",
        "fit_aggregate_posterior",
        "keras.ops, converted back to NumPy",
        """
def fit_aggregate_posterior(z_means):
    z = ops.convert_to_tensor(z_means, "float64")
    mean = ops.mean(z, axis=0)
    centred = z - mean
    cov = ops.matmul(ops.transpose(centred), centred) / (ops.shape(z)[0] - 1)
    return ops.convert_to_numpy(mean), ops.convert_to_numpy(cov)
""",
    ),
    *(
        _right(track, "sample_prior", "a dict of NumPy draws, float32 from the start", _NUMPY_PRIOR)
        for track in ("pytorch", "tensorflow")
    ),
    *(
        _right(track, "matched_uniform_half_width", variant, _half_width(formula))
        for track in ("pytorch", "tensorflow")
        for variant, formula in _HALF_WIDTHS
    ),
    *(
        _right(track, "fit_aggregate_posterior", variant, code)
        for track in ("pytorch", "tensorflow")
        for variant, code in _FITS
    ),
]
