"""Checks of a sampler of codings, z = z_mean + exp(z_log_var / 2) * eps with eps ~ N(0, I): the
PyTorch function ``sample_codings(z_mean, z_log_var, seed=None)`` and the Keras layer
``Sampling(seed=None)``, called on ``[z_mean, z_log_var]`` (02-reparameterization).

A *draw* is a function ``draw(z_mean, z_log_var, seed=None)`` that samples once from NumPy
parameters with a fresh seed (``torch_draw``: one call of ``sample_codings``; ``keras_draw``: the
first call of a new layer) and returns the codings as a NumPy array, after checking their type,
shape and dtype. The checks of moments, values and int seeds take a draw, so both tracks share
them; the checks of generators and gradients have one version per track. Frameworks are
imported only when a check runs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from . import check_close, check_shape, to_numpy


@dataclass(frozen=True)
class _Words:
    """How the messages of one track name its tools."""

    normal: str  # the standard normal sampler
    uniform: str  # the uniform sampler, a likely mistake
    full_shape: str  # the shape the noise must have
    no_gradient: str  # what to do when no gradient reaches an input
    zero_gradient: str  # the end of the message when the gradient is zero everywhere


_WORDS = {
    "pytorch": _Words(
        normal="torch.randn",
        uniform="torch.rand",
        full_shape="(N, codings_size)",
        no_gradient="Compute the codings from {name} itself with torch operations (no .detach(), "
        ".numpy() or .item() on the way).",
        zero_gradient=". torch.normal(mean, std) and Normal(mean, std).sample() treat the draw as "
        "a constant: write z = z_mean + sigma * eps yourself, with eps from torch.randn.",
    ),
    "tensorflow": _Words(
        normal="keras.random.normal",
        uniform="keras.random.uniform",
        full_shape="ops.shape(z_mean) = (N, codings_size)",
        no_gradient="Compute the codings from {name} with keras.ops (or TensorFlow) operations: "
        "converting it to NumPy (ops.convert_to_numpy, .numpy(), np.exp) cuts the gradient tape.",
        zero_gradient=": is there a stop_gradient on the way? Write z = z_mean + sigma * eps with "
        "keras.ops.",
    ),
}


# --- Monte Carlo moments and extreme values (both tracks) -------------------------------------


def check_samples(codings, mu, gamma, what: str, track: str) -> None:
    """``codings``: (n, d) draws that all share ``mu`` and ``gamma``, of shape (d,). Do they look
    like n independent draws from N(mu, exp(gamma)), with independent dimensions?"""
    words = _WORDS[track]
    codings, mu, gamma = np.asarray(codings), np.asarray(mu), np.asarray(gamma)
    n, sigma = len(codings), np.exp(gamma / 2)
    assert np.all(np.isfinite(codings)), (
        f"{what}: the codings contain NaN or inf. Did you take the square root (or the log) of "
        "z_log_var? It is negative whenever sigma < 1. Use sigma = exp(z_log_var / 2)."
    )
    assert not np.allclose(codings, mu, rtol=0, atol=1e-6), (
        f"{what}: no noise at all: the codings equal z_mean. Add sigma * eps, with eps drawn "
        "from N(0, 1)."
    )
    assert not np.all(codings == codings[:1]), (
        f"{what}: every example got exactly the same codings: one epsilon is shared across the "
        f"batch. Draw eps with the full shape of z_mean, {words.full_shape}."
    )
    check_close(
        codings.std(axis=0),
        sigma,
        f"{what}: the standard deviation of each dimension",
        mistakes={
            "sigma = exp(z_log_var), which is the variance sigma^2, not the standard deviation; "
            "use sigma = exp(z_log_var / 2)": np.exp(gamma),
            "z_log_var used as the standard deviation; it is gamma = log sigma^2, so "
            "sigma = exp(z_log_var / 2)": np.abs(gamma),
            "sigma = z_log_var / 2: the exp is missing; sigma = exp(z_log_var / 2)": np.abs(gamma)
            / 2,
            "sigma = exp(-z_log_var / 2): the sign of the exponent is flipped": np.exp(-gamma / 2),
            "the noise is not scaled by sigma (z = z_mean + eps)": np.ones_like(gamma),
            f"the noise is uniform ({words.uniform}), not standard normal ({words.normal})": sigma
            / np.sqrt(12),
        },
        hint="Each dimension should have the standard deviation sigma = exp(z_log_var / 2), up "
        "to Monte Carlo error.",
        rtol=0.03,
        atol=1e-3,
    )
    mean, tolerance = codings.mean(axis=0), 5 * sigma / np.sqrt(n)
    k = int(np.argmax(np.abs(mean - mu) / tolerance))
    assert abs(mean[k] - mu[k]) <= tolerance[k], (
        f"{what}: dimension {k} has the mean {mean[k]:.4f}, expected z_mean = {mu[k]:.4f} (within "
        f"{tolerance[k]:.4f}, five standard errors). The noise must have mean 0: draw it from "
        f"N(0, 1) with {words.normal}."
    )
    eps = (codings - mu) / sigma
    if eps.shape[1] > 1:
        assert not np.allclose(eps, eps[:, :1], atol=1e-4), (
            f"{what}: within each example, every dimension got the same noise: one epsilon per "
            "example is shared across the dimensions. Draw eps with the full shape of z_mean, "
            f"{words.full_shape}."
        )
        correlation = np.abs(np.corrcoef(eps, rowvar=False) - np.eye(eps.shape[1])).max()
        assert correlation < 0.05, (
            f"{what}: the noise of different dimensions is correlated (up to {correlation:.2f}): "
            "each dimension needs its own independent draw."
        )


def check_monte_carlo(draw, mu, gamma, n: int, what: str, track: str, seed=None) -> None:
    """``n`` examples that all share ``mu`` and ``gamma`` (shape (d,)), drawn at once with
    ``seed``: their columns must look like draws from N(mu, exp(gamma))."""
    mu, gamma = np.asarray(mu, dtype=float), np.asarray(gamma, dtype=float)
    codings = draw(np.tile(mu, (n, 1)), np.tile(gamma, (n, 1)), seed)
    check_samples(codings, mu, gamma, what, track)


def check_standard_noise(draw, z_mean, z_log_var, what: str, seed=None) -> None:
    """On a few examples: (codings - z_mean) / sigma must look like standard normal noise."""
    codings = draw(z_mean, z_log_var, seed)
    eps = (codings - z_mean) / np.exp(np.asarray(z_log_var) / 2)
    assert np.all(np.isfinite(eps)) and np.all(np.abs(eps) < 7), (
        f"{what}: (codings - z_mean) / sigma should be standard normal noise, got "
        f"{np.round(eps, 3)}. Use sigma = exp(z_log_var / 2)."
    )


def check_extreme_log_variances(draw, name: str) -> None:
    """gamma = -100 (sigma = 2e-22) gives back z_mean, and gamma = 120 (sigma = e^60, about
    1e26) gives finite codings with the right spread, in float32."""
    z_mean = np.array([[1.5, -2.0, 0.25]])
    codings = draw(z_mean, np.full((1, 3), -100.0), 1)
    check_close(
        codings,
        z_mean,
        f"{name} with z_log_var = -100 (sigma = 2e-22)",
        rtol=1e-6,
        atol=1e-6,
    )
    codings = draw(np.zeros((2000, 3)), np.full((2000, 3), 120.0), 2)
    assert np.all(np.isfinite(codings)), (
        f"{name} with z_log_var = 120 gave inf or NaN codings, although sigma = exp(60) "
        "(about 1e26) fits in float32: exp(z_log_var) overflows once z_log_var > 88. Compute "
        "sigma = exp(z_log_var / 2) directly, not sqrt(exp(z_log_var))."
    )
    check_close(
        codings.std(axis=0) / np.exp(60.0),
        np.ones(3),
        "the standard deviation of the codings for z_log_var = 120, divided by exp(60)",
        rtol=0.1,
    )


# --- int seeds (both tracks) ------------------------------------------------------------------

_SAME_SEED = {
    "pytorch": "sample_codings(..., seed={seed}) gave different codings at two calls: the seed "
    "is ignored. Draw eps from torch.Generator().manual_seed(seed).",
    "tensorflow": "Two Sampling(seed={seed}) layers gave different codings at their first call: "
    "the seed is ignored. Make a keras.random.SeedGenerator from the seed in __init__, and draw "
    "all the noise from it.",
}
_OTHER_SEED = {
    "pytorch": "sample_codings gave the same codings with seed={0} and with seed={1}: the noise "
    "does not depend on the seed. Is a fixed seed set inside the function?",
    "tensorflow": "Sampling(seed={0}) and Sampling(seed={1}) gave the same codings: the noise "
    "does not depend on the seed. Is a fixed seed set inside the layer?",
}
_NO_SEED = {
    "pytorch": "With seed=None, two calls of sample_codings gave the same codings: without a "
    "seed, every call must draw new noise (from PyTorch's global generator). Do not set a seed "
    "inside.",
    "tensorflow": "Two Sampling() layers without a seed gave the same codings: without a seed, "
    "the noise should not be fixed in advance. Create keras.random.SeedGenerator(None).",
}


def check_int_seeds(draw, z_mean, z_log_var, seeds: tuple, track: str) -> None:
    """Each int seed gives the same codings twice, two seeds give different codings, and no seed
    gives new codings every time. ``seeds``: ints whose first two differ; a 0 among them is tried
    last, so that a sampler that ignores every seed is told so, and one that ignores only 0 is
    told that."""
    first = {}
    for seed in sorted(seeds, key=lambda s: s == 0):  # 0 last: its own message
        first[seed] = draw(z_mean, z_log_var, seed)
        if np.array_equal(first[seed], draw(z_mean, z_log_var, seed)):
            continue
        if seed == 0 and len(first) > 1:
            raise AssertionError(
                "seed=0 gave different codings at two draws, while the other int seeds repeat "
                "theirs: seed=0 is treated as no seed. Test `seed is None`, not `if seed:` "
                "(0 is a valid seed)."
            )
        raise AssertionError(_SAME_SEED[track].format(seed=seed))
    a, b = seeds[:2]
    assert not np.array_equal(first[a], first[b]), _OTHER_SEED[track].format(a, b)
    assert not np.array_equal(draw(z_mean, z_log_var), draw(z_mean, z_log_var)), _NO_SEED[track]


# --- PyTorch: sample_codings ------------------------------------------------------------------


def torch_draw(sample_codings):
    """The draw of the PyTorch track: ``sample_codings`` on float32 tensors made from NumPy arrays,
    with its type, shape and dtype checked."""
    import torch

    def draw(z_mean, z_log_var, seed=None):
        codings = sample_codings(
            torch.tensor(z_mean, dtype=torch.float32),
            torch.tensor(z_log_var, dtype=torch.float32),
            seed,
        )
        assert isinstance(codings, torch.Tensor), (
            f"sample_codings should return a torch.Tensor, not {type(codings).__name__}."
        )
        check_shape(
            codings,
            np.shape(z_mean),
            "sample_codings(z_mean, z_log_var)",
            hint="The codings have the shape of z_mean: one value per example and dimension.",
        )
        assert codings.dtype == torch.float32, (
            f"sample_codings returned {codings.dtype} codings for float32 inputs, expected float32."
        )
        return to_numpy(codings)

    return draw


def check_torch_generator(sample_codings, z_mean, z_log_var, seed: int) -> None:
    """A torch.Generator as the seed: two generators seeded alike give the same codings, and one
    generator continues its stream from call to call."""
    import torch

    draw = torch_draw(sample_codings)
    generator = torch.Generator().manual_seed(seed)
    try:
        first = draw(z_mean, z_log_var, generator)
        second = draw(z_mean, z_log_var, generator)
        again = draw(z_mean, z_log_var, torch.Generator().manual_seed(seed))
    except (TypeError, RuntimeError, ValueError) as error:
        raise AssertionError(
            f"sample_codings(z_mean, z_log_var, seed=generator) failed ({error}): the seed can "
            "also be a torch.Generator. Draw from it as it is: torch.randn(shape, "
            "generator=seed)."
        ) from None
    assert np.array_equal(first, again), (
        f"Two torch.Generators seeded with {seed} gave different codings: the generator is "
        "ignored. Draw the noise from the generator you are given."
    )
    assert not np.array_equal(first, second), (
        "Two calls of sample_codings with the same torch.Generator gave the same codings: draw "
        "from the generator itself (its stream continues), do not start a new one from it."
    )


def check_torch_global_state(sample_codings, z_mean, z_log_var, seed: int) -> None:
    """An int seed must leave PyTorch's global generator alone."""
    import torch

    state = torch.get_rng_state()
    torch_draw(sample_codings)(z_mean, z_log_var, seed)
    assert torch.equal(torch.get_rng_state(), state), (
        f"sample_codings(..., seed={seed}) changed the state of PyTorch's global random "
        "generator: do not call torch.manual_seed inside, it would make the rest of the program "
        "repeat its random numbers. Draw from a generator of your own: "
        "torch.Generator().manual_seed(seed)."
    )


def check_torch_gradients(sample_codings, z_mean, z_log_var, weights, what: str, seed=0) -> None:
    """Backpropagate sum(weights * codings) to NumPy parameters ``z_mean`` and ``z_log_var``;
    compare with dz/dmu = 1 and dz/dgamma = (z - mu) / 2."""
    import torch

    mean = torch.tensor(z_mean, dtype=torch.float32, requires_grad=True)
    log_var = torch.tensor(z_log_var, dtype=torch.float32, requires_grad=True)
    codings = sample_codings(mean, log_var, seed)
    assert isinstance(codings, torch.Tensor) and codings.requires_grad, (
        f"{what}: no gradient can flow back through the codings. Compute them with torch "
        "operations on z_mean and z_log_var (no .detach(), .numpy(), .item(), torch.tensor(...) "
        "copies or torch.no_grad())."
    )
    (codings * torch.tensor(weights, dtype=torch.float32)).sum().backward()
    _check_gradients(codings, z_mean, [mean.grad, log_var.grad], weights, what, "pytorch")


# --- Keras: the Sampling layer ----------------------------------------------------------------


def keras_layer(Sampling, seed=None):
    """A new ``Sampling(seed=seed)`` layer, with a clear message when it cannot be built."""
    import keras

    try:
        layer = Sampling(seed=seed)
    except (TypeError, ValueError) as error:
        raise AssertionError(
            f"Sampling(seed={seed!r}) failed: {error}. The seed can be None, an int or a "
            "keras.random.SeedGenerator; __init__(self, seed=None, **kwargs) keeps one "
            "SeedGenerator as an attribute of the layer."
        ) from None
    assert isinstance(layer, keras.layers.Layer), (
        "Sampling should be a Keras layer (a subclass of keras.layers.Layer), not "
        f"{type(layer).__name__}."
    )
    return layer


def keras_call(layer, z_mean, z_log_var) -> np.ndarray:
    """Call a Sampling layer on float32 tensors made from NumPy arrays. Checks the type, shape
    and dtype of the result, and returns it as a NumPy array."""
    import keras
    from keras import ops

    inputs = [
        ops.convert_to_tensor(np.asarray(z_mean, np.float32)),
        ops.convert_to_tensor(np.asarray(z_log_var, np.float32)),
    ]
    try:
        codings = layer(inputs)
    except TypeError as error:
        raise AssertionError(
            f"Calling the layer on [z_mean, z_log_var] failed: {error}. Keras passes that list "
            "as one argument: def call(self, inputs): z_mean, z_log_var = inputs."
        ) from None
    assert ops.is_tensor(codings), (
        f"Sampling should return a tensor (use keras.ops), not {type(codings).__name__}."
    )
    check_shape(
        codings,
        np.shape(z_mean),
        "Sampling()([z_mean, z_log_var])",
        hint="The codings have the shape of z_mean: one value per example and dimension.",
    )
    dtype = keras.backend.standardize_dtype(codings.dtype)
    assert dtype == "float32", (
        f"Sampling returned {dtype} codings for float32 inputs, expected float32."
    )
    return to_numpy(codings)


def keras_draw(Sampling):
    """The draw of the Keras track: the first call of a new ``Sampling(seed=seed)`` layer."""

    def draw(z_mean, z_log_var, seed=None):
        return keras_call(keras_layer(Sampling, seed), z_mean, z_log_var)

    return draw


def check_keras_calls(Sampling, z_mean, z_log_var, seed: int) -> None:
    """One layer, even with an int seed, draws new noise at every call."""
    layer = keras_layer(Sampling, seed)
    first = keras_call(layer, z_mean, z_log_var)
    assert not np.array_equal(first, keras_call(layer, z_mean, z_log_var)), (
        "One Sampling layer gave the same codings at two calls: it should draw new noise at "
        "every call. Pass the SeedGenerator to keras.random.normal (it advances at every draw), "
        "not the int seed (an int seed repeats the same noise at every call)."
    )


def check_keras_generator(Sampling, z_mean, z_log_var, seed: int) -> None:
    """A keras.random.SeedGenerator as the seed: two generators seeded alike give the same
    codings, and layers that share one generator continue its stream."""
    import keras

    first = keras_call(keras_layer(Sampling, keras.random.SeedGenerator(seed)), z_mean, z_log_var)
    again = keras_call(keras_layer(Sampling, keras.random.SeedGenerator(seed)), z_mean, z_log_var)
    assert np.array_equal(first, again), (
        f"Two Sampling layers built on keras.random.SeedGenerator({seed}) gave different "
        "codings: the generator is ignored. When seed is a SeedGenerator, draw from it as it is."
    )
    shared = keras.random.SeedGenerator(seed)
    one = keras_call(keras_layer(Sampling, shared), z_mean, z_log_var)
    other = keras_call(keras_layer(Sampling, shared), z_mean, z_log_var)
    assert not np.array_equal(one, other), (
        "Two Sampling layers that share one keras.random.SeedGenerator gave the same codings: "
        "draw from the generator itself (its stream continues), do not start a new one from it."
    )


def check_keras_global_state(Sampling, z_mean, z_log_var, seed: int) -> None:
    """An int seed must leave the global random state (Python's and NumPy's) alone."""
    python_state, numpy_state = random.getstate(), np.random.get_state()
    keras_draw(Sampling)(z_mean, z_log_var, seed)
    unchanged = random.getstate() == python_state and all(
        np.array_equal(a, b) for a, b in zip(np.random.get_state(), numpy_state, strict=True)
    )
    assert unchanged, (
        f"Sampling(seed={seed}) changed the global random state of Python or NumPy: do not call "
        "keras.utils.set_random_seed (or random.seed, np.random.seed) in the layer, it would "
        "make the rest of the program repeat its random numbers. Draw from a "
        "keras.random.SeedGenerator of the layer's own."
    )


def check_keras_functional(Sampling) -> None:
    """The layer works inside a functional model, where the batch size is None when it is
    built."""
    import keras

    inputs = keras.Input(shape=(3,))
    try:
        model = keras.Model(inputs, keras_layer(Sampling)([inputs, inputs]))
    except Exception as error:
        raise AssertionError(
            "Sampling failed inside a functional model, where the batch size is None when the "
            "layer is built. Use ops.shape(z_mean), not z_mean.shape, for the shape of the noise. "
            f"The error was: {str(error)[:300]}"
        ) from None
    check_shape(model(np.zeros((4, 3), np.float32)), (4, 3), "Sampling inside a functional model")


def check_keras_gradients(Sampling, z_mean, z_log_var, weights, what: str, seed=0) -> None:
    """Differentiate sum(weights * codings) for NumPy parameters ``z_mean`` and ``z_log_var``;
    compare with dz/dmu = 1 and dz/dgamma = (z - mu) / 2."""
    import tensorflow as tf

    layer = keras_layer(Sampling, seed)
    mean, log_var = tf.constant(z_mean, tf.float32), tf.constant(z_log_var, tf.float32)
    with tf.GradientTape() as tape:
        tape.watch([mean, log_var])
        codings = layer([mean, log_var])
        total = tf.reduce_sum(tf.convert_to_tensor(codings) * tf.constant(weights, tf.float32))
    gradients = tape.gradient(total, [mean, log_var])
    _check_gradients(codings, z_mean, gradients, weights, what, "tensorflow")


# --- gradients (both tracks) ------------------------------------------------------------------


def _check_gradients(codings, z_mean, gradients, weights, what: str, track: str) -> None:
    """``gradients``: of sum(weights * codings) with respect to z_mean and z_log_var (None where
    none reached them)."""
    words = _WORDS[track]
    for name, gradient in zip(("z_mean", "z_log_var"), gradients, strict=True):
        assert gradient is not None, (
            f"{what}: no gradient reaches {name}. " + words.no_gradient.format(name=name)
        )
        assert np.any(to_numpy(gradient) != 0), (
            f"{what}: the gradient with respect to {name} is zero everywhere{words.zero_gradient}"
        )
    w = np.asarray(weights, dtype=np.float64)
    check_close(
        gradients[0],
        w,
        f"{what}: the gradient with respect to z_mean",
        hint="z = z_mean + sigma * eps, so dz/dz_mean = 1.",
        rtol=1e-4,
        atol=1e-6,
    )
    check_close(
        gradients[1],
        w * (to_numpy(codings) - to_numpy(np.asarray(z_mean, np.float32))) / 2,
        f"{what}: the gradient with respect to z_log_var",
        hint="With sigma = exp(z_log_var / 2), dz/dz_log_var = sigma * eps / 2 = (z - z_mean) / 2.",
        rtol=1e-3,
        atol=1e-5,
    )
