"""Checks of a variational encoder, images -> (z_mean, z_log_var, codings): the PyTorch
``build_variational_encoder(codings_size)`` returns an ``nn.Module`` whose ``forward(x, seed=None)``
calls ``sample_codings``; the Keras one returns a functional model that draws with a ``Sampling``
layer (02-reparameterization).

The encoder's tests swap the student's sampler for a known-correct one that records the noise it
draws (``stand_in`` with ``RecordingSampler`` or ``recording_sampling_layer``), so that a mistake
in the sampler does not cost points a second time, and so that the codings can be checked
against that noise. ``torch_encode`` and ``keras_encode`` run an encoder and return its three
outputs as NumPy arrays together with the recorded noise; the other checks take those arrays.
Frameworks are imported only when a check runs.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np

from . import to_numpy


@dataclass(frozen=True)
class _Words:
    """How the messages of one track name its tools."""

    sample: str  # how the codings are drawn
    draws: str  # what it means when the sampler did not draw exactly once ({n}: the count)
    order: str  # how to return the outputs in order
    heads: str  # the two separate heads
    flatten: str  # the layer that flattens the images
    sampler: str  # the sampler, in a sentence
    give: str  # how to output what the sampler gives
    repeated: str  # what it means when two passes give the same codings
    weights: str  # what the framework calls the weights
    cuts: str  # what cuts the gradient


_WORDS = {
    "pytorch": _Words(
        sample="Return codings = sample_codings(z_mean, z_log_var, seed), one draw from the "
        "distribution.",
        draws="forward called sample_codings {n} times; it should call it exactly once, "
        "codings = sample_codings(z_mean, z_log_var, seed), and return those codings.",
        order="Return the tuple (z_mean, z_log_var, codings).",
        heads="nn.Linear(100, codings_size)",
        flatten="nn.Flatten()",
        sampler="sample_codings",
        give="Return the codings that sample_codings(z_mean, z_log_var, seed) gives",
        repeated="Two passes without a seed gave the same codings: do not set a seed in forward.",
        weights="parameters",
        cuts=".detach() or torch.no_grad()",
    ),
    "tensorflow": _Words(
        sample="The third output should be codings = Sampling()([z_mean, z_log_var]), one draw "
        "from the distribution.",
        draws="the codings do not come from the Sampling layer (it drew {n} times). Draw them "
        "with your layer, by its name: codings = Sampling()([z_mean, z_log_var]).",
        order="Use keras.Model(inputs, [z_mean, z_log_var, codings]).",
        heads="layers.Dense(codings_size)",
        flatten="layers.Flatten()",
        sampler="the Sampling layer",
        give="Output the codings of Sampling()([z_mean, z_log_var])",
        repeated="Two passes of the encoder gave the same codings: the Sampling layer should "
        "draw new noise at every call (do not give it a fixed int seed at every call).",
        weights="weights",
        cuts="stop_gradient or NumPy on the way",
    ),
}


@contextlib.contextmanager
def stand_in(namespace: dict, name: str, value):
    """Bind ``name`` to ``value`` in ``namespace`` (the notebook's globals) while the block runs;
    afterwards put back what was bound there before, or remove the name if nothing was."""
    missing = object()
    yours = namespace.get(name, missing)
    namespace[name] = value
    try:
        yield value
    finally:
        if yours is missing:
            namespace.pop(name, None)
        else:
            namespace[name] = yours


# --- the known-correct samplers that record their noise ----------------------------------------


class RecordingSampler:
    """A known-correct PyTorch ``sample_codings`` that keeps the noise of each call in
    ``draws``."""

    def __init__(self):
        self.draws = []

    def __call__(self, z_mean, z_log_var, seed=None):
        import torch

        generator = (
            seed
            if seed is None or isinstance(seed, torch.Generator)
            else torch.Generator().manual_seed(int(seed))
        )
        eps = torch.randn(z_mean.shape, generator=generator, dtype=z_mean.dtype)
        self.draws.append(to_numpy(eps))
        return z_mean + torch.exp(0.5 * z_log_var) * eps


def recording_sampling_layer():
    """A known-correct Keras ``Sampling`` layer class that keeps the noise of each eager call in
    its ``draws`` (not while a functional model is being built)."""
    import keras
    import tensorflow as tf
    from keras import ops

    class RecordingSampling(keras.layers.Layer):
        draws = []

        def __init__(self, seed=None, **kwargs):
            super().__init__(**kwargs)
            self.seed_generator = (
                seed
                if isinstance(seed, keras.random.SeedGenerator)
                else keras.random.SeedGenerator(seed)
            )

        def call(self, inputs):
            z_mean, z_log_var = inputs
            eps = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
            if tf.executing_eagerly():
                RecordingSampling.draws.append(to_numpy(eps))
            return z_mean + ops.exp(0.5 * z_log_var) * eps

    return RecordingSampling


# --- building and running an encoder -----------------------------------------------------------


def torch_build(build_variational_encoder, size: int):
    """``build_variational_encoder(size)``, which must be an nn.Module."""
    from torch import nn

    encoder = build_variational_encoder(size)
    assert isinstance(encoder, nn.Module), (
        f"build_variational_encoder should return an nn.Module, not {type(encoder).__name__}."
    )
    return encoder


def keras_build(build_variational_encoder, size: int):
    """``build_variational_encoder(size)``, which must be a keras.Model."""
    import keras

    try:
        encoder = build_variational_encoder(size)
    except ValueError as error:
        raise AssertionError(f"build_variational_encoder({size}) failed: {error}") from None
    assert isinstance(encoder, keras.Model), (
        f"build_variational_encoder should return a keras.Model, not {type(encoder).__name__}."
    )
    return encoder


def _check_output_shapes(outputs, x, size: int, track: str) -> None:
    for name, output in zip(("z_mean", "z_log_var", "codings"), outputs, strict=True):
        shape = tuple(output.shape)
        if shape != (len(x), size):
            hint = (
                f"Each head should have codings_size = {size} units: use the codings_size argument."
                if len(shape) == 2 and shape[0] == len(x)
                else f"Did you flatten each image to 784 values first ({_WORDS[track].flatten})?"
            )
            raise AssertionError(
                f"{name} has the shape {shape} for x of shape {tuple(x.shape)}, expected "
                f"({len(x)}, {size}). {hint}"
            )


def torch_encode(encoder, x, size: int, sampler, seed=None):
    """``encoder(x)``, or ``encoder(x, seed=seed)``, without gradients: returns its
    (z_mean, z_log_var, codings) as NumPy arrays of shape (N, size), and the noise that
    ``sampler`` (a ``RecordingSampler``) drew meanwhile."""
    import torch

    sampler.draws.clear()
    try:
        with torch.no_grad():
            outputs = encoder(x) if seed is None else encoder(x, seed=seed)
    except TypeError as error:
        raise AssertionError(
            f"encoder(x{'' if seed is None else ', seed=...'}) failed: {error}. forward should "
            "take (x, seed=None) and pass seed on to sample_codings."
        ) from None
    except RuntimeError as error:
        raise AssertionError(
            f"encoder(x) failed for x of shape {tuple(x.shape)}: {error}. Did you flatten each "
            "image to 784 values first (nn.Flatten())?"
        ) from None
    assert isinstance(outputs, (tuple, list)) and len(outputs) == 3, (
        "forward(x) should return a tuple of three tensors (z_mean, z_log_var, codings), not "
        f"{type(outputs).__name__}"
        + (f" of length {len(outputs)}." if isinstance(outputs, (tuple, list)) else ".")
    )
    for name, output in zip(("z_mean", "z_log_var", "codings"), outputs, strict=True):
        assert isinstance(output, torch.Tensor), (
            f"{name} should be a torch.Tensor, not {type(output).__name__}."
        )
    _check_output_shapes(outputs, x, size, "pytorch")
    return [to_numpy(output) for output in outputs], list(sampler.draws)


def keras_encode(encoder, x, size: int, sampling_layer):
    """``encoder(x)``: returns its [z_mean, z_log_var, codings] as NumPy arrays of shape
    (N, size), and the noise that ``sampling_layer`` (a ``recording_sampling_layer()``) drew
    meanwhile."""
    sampling_layer.draws.clear()
    outputs = encoder(x)
    assert isinstance(outputs, (tuple, list)) and len(outputs) == 3, (
        "The encoder should have three outputs, [z_mean, z_log_var, codings]: "
        "keras.Model(inputs, [z_mean, z_log_var, codings])."
    )
    _check_output_shapes(outputs, x, size, "tensorflow")
    return [to_numpy(output) for output in outputs], list(sampling_layer.draws)


# --- checks of the outputs (both tracks) -------------------------------------------------------


def check_outputs(outputs, draws, what: str, track: str) -> None:
    """The codings must be z_mean + exp(z_log_var / 2) * eps for the noise eps that the sampler
    drew, in the order (z_mean, z_log_var, codings), from two separate heads."""
    words = _WORDS[track]
    z_mean, z_log_var, codings = outputs
    assert not np.allclose(codings, z_mean, rtol=0, atol=1e-7), (
        f"{what}: the codings equal z_mean: no sampling. {words.sample}"
    )
    assert len(draws) == 1, f"{what}: " + words.draws.format(n=len(draws))
    eps = draws[0]

    def sampled(mean, log_var):
        return mean + np.exp(log_var / 2) * eps

    if not np.allclose(codings, sampled(z_mean, z_log_var), rtol=1e-4, atol=1e-5):
        for i, j, k in ((1, 0, 2), (0, 2, 1), (2, 0, 1), (1, 2, 0), (2, 1, 0)):
            if np.allclose(outputs[k], sampled(outputs[i], outputs[j]), rtol=1e-4, atol=1e-5):
                raise AssertionError(f"{what}: the outputs are in the wrong order. {words.order}")
        raise AssertionError(
            f"{what}: the codings are not z_mean + exp(z_log_var / 2) * eps for the noise eps "
            f"that {words.sampler} drew. {words.give}, together with the z_mean and z_log_var you "
            "passed to it."
        )
    assert not np.allclose(z_log_var, z_mean), (
        f"{what}: z_log_var equals z_mean: the two heads share one layer. Use two separate "
        f"{words.heads} layers on the same hidden features."
    )


def check_log_var_head(z_log_var) -> None:
    """For random images and random weights, some log-variances must be negative: the head has
    no activation."""
    assert np.any(z_log_var < 0), (
        f"z_log_var is never negative (its smallest value is {z_log_var.min():.3g}), for "
        f"{z_log_var.shape[1]} codings of random images and random weights: the log-variance "
        "head has an activation (ReLU, softplus, exp, ...) that forbids sigma < 1. It needs no "
        "activation: any real gamma is a valid log-variance."
    )


def check_two_passes(first, second, track: str) -> None:
    """Two passes on the same images: the same z_mean and z_log_var, different codings."""
    (mean_1, log_var_1, codings_1), (mean_2, log_var_2, codings_2) = first, second
    assert np.array_equal(mean_1, mean_2) and np.array_equal(log_var_1, log_var_2), (
        "z_mean and z_log_var changed between two passes on the same images: they should be "
        "computed without noise (no dropout); only the codings are random."
    )
    assert not np.array_equal(codings_1, codings_2), _WORDS[track].repeated


def check_same_codings(first, second, seed) -> None:
    """Two passes of a PyTorch encoder with the same seed: the same codings."""
    assert np.array_equal(first[2], second[2]), (
        f"encoder(x, seed={seed!r}) gave different codings at two calls: forward should pass "
        "its seed on, codings = sample_codings(z_mean, z_log_var, seed)."
    )


# --- gradients from the codings to every weight --------------------------------------------


def _no_gradient(missing: list, track: str) -> str:
    words = _WORDS[track]
    return (
        f"No gradient reaches these {words.weights} from the codings: {missing}. Compute z_mean "
        f"and z_log_var with the layers, without {words.cuts}, and draw the codings from both."
    )


def check_torch_parameter_gradients(encoder, x) -> None:
    """The gradient of sum(codings) reaches every parameter of a PyTorch encoder."""
    import torch

    encoder.zero_grad()
    codings = encoder(x)[2]
    assert isinstance(codings, torch.Tensor) and codings.requires_grad, _no_gradient(
        [name for name, _ in encoder.named_parameters()], "pytorch"
    )
    codings.sum().backward()
    missing = [
        name
        for name, p in encoder.named_parameters()
        if p.grad is None or not torch.any(p.grad != 0)
    ]
    assert not missing, _no_gradient(missing, "pytorch")


def check_keras_weight_gradients(encoder, x) -> None:
    """The gradient of sum(codings) reaches every trainable weight of a Keras encoder."""
    import tensorflow as tf
    from keras import ops

    with tf.GradientTape() as tape:
        total = ops.sum(encoder(x)[2])
    gradients = tape.gradient(total, encoder.trainable_weights)
    missing = [
        w.path
        for w, g in zip(encoder.trainable_weights, gradients, strict=True)
        if g is None or not np.any(to_numpy(g) != 0)
    ]
    assert not missing, _no_gradient(missing, "tensorflow")
