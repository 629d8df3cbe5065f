"""Checks of a plain, deterministic autoencoder and of ``is_repeatable`` (01-autoencoders).

``TorchAutoencoderChecks`` and ``KerasAutoencoderChecks`` build an autoencoder with the
student's ``build_autoencoder`` and check it one property at a time, with the same method names
in both tracks; test cells pass NumPy images. The PyTorch track's model is an ``nn.Module``
whose ``forward`` returns logits and whose ``decode`` returns probabilities; the Keras track's
is a tuple ``(encoder, decoder, autoencoder)`` whose decoder and autoencoder return logits.
``check_repeatable`` and ``check_not_repeatable`` run ``is_repeatable`` on a deterministic model
and on models that add fresh noise at every call; they read the framework from the input tensor.
Every call of the student's code runs with vaecourse's reference code refused.
"""

from __future__ import annotations

import copy
import functools

import numpy as np

from . import check_close, check_shape, to_numpy, without_reference
from .reconstruction import PIXELS, framework_of

IMAGE = (28, 28)
WEIGHT_SCALE = 10.0  # scaling every weight up this much pushes logits out of [0, 1]


def _sigmoid(logits) -> np.ndarray:
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(logits, np.float64)))


def _check_probabilities(images, what: str, sigmoid: str) -> None:
    images = to_numpy(images)
    assert images.min() >= 0 and images.max() <= 1, (
        f"{what} should return probabilities in [0, 1], but its values range from "
        f"{images.min():.3g} to {images.max():.3g}: apply {sigmoid} to the decoder's logits."
    )


class _AutoencoderChecks:
    """The checks both tracks share. A subclass builds the model and calls its parts:
    ``_build(seed)``, ``_encode(x)``, ``_logits(x)`` (images to logits), ``_decode(codings)``,
    ``_scaled_up_logits(x)``, ``_trainable_count()`` and ``_gradient_step(x, target)``."""

    # how the messages name this track's parts and layers, and what they advise
    encode_call = logits_call = decode_call = flatten = reshape = ""
    no_sigmoid_hint = untrainable_message = ""

    def __init__(self, build_autoencoder, codings_size: int, seed: int = 0):
        self.answer = build_autoencoder
        self.codings_size = codings_size
        with self._refusing_reference():
            self._build(seed)

    def _refusing_reference(self):
        return without_reference(self.answer)

    def codings(self, x: np.ndarray) -> None:
        """The encoder maps images (N, 28, 28) to codings (N, codings_size)."""
        with self._refusing_reference():
            shape = tuple(self._encode(x).shape)
        n, size = len(x), self.codings_size
        if shape == (n, size):
            return
        if len(shape) != 2:
            raise AssertionError(
                f"{self.encode_call} returned shape {shape} for x of shape ({n}, 28, 28); "
                f"expected ({n}, {size}). Did you flatten each image to 784 values first "
                f"({self.flatten})?"
            )
        if shape[1] >= PIXELS:
            raise AssertionError(
                f"{self.encode_call} returned {shape[1]} codings per image for "
                f"codings_size={size}: that is not undercomplete, it does not compress at all. "
                "The coding layer must have codings_size units, fewer than the 784 pixels."
            )
        raise AssertionError(
            f"{self.encode_call} returned shape {shape}, expected ({n}, {size}): {shape[1]} "
            f"codings per image but codings_size={size}. Use the codings_size argument for the "
            "size of the coding layer."
        )

    def deterministic(self, x: np.ndarray) -> None:
        """The same images give exactly the same codings and logits twice."""
        with self._refusing_reference():
            same = np.array_equal(self._encode(x), self._encode(x)) and np.array_equal(
                self._logits(x), self._logits(x)
            )
        assert same, (
            "The model is not deterministic: the same input gave two different outputs. A plain "
            "autoencoder has no dropout and no noise."
        )

    def outputs(self, x: np.ndarray) -> None:
        """The logits of images have shape (N, 28, 28) and agree with decoding their codings."""
        with self._refusing_reference():
            codings = self._encode(x)
            logits, decoded = self._logits(x), self._decode(codings)
        hint = f"Reshape the decoder's 784 outputs to (N, 28, 28), e.g. with {self.reshape}."
        check_shape(logits, (len(x), *IMAGE), f"{self.logits_call}, the logits", hint=hint)
        check_shape(decoded, (len(x), *IMAGE), self.decode_call, hint=hint)
        self._check_decoding_agrees(logits, decoded)

    def returns_logits(self, x: np.ndarray) -> None:
        """The model outputs logits: with every weight scaled up, they leave [0, 1]."""
        with self._refusing_reference():
            logits = self._scaled_up_logits(x)
        assert logits.min() < 0 or logits.max() > 1, (
            f"{self.logits_call} should return logits, but its values stay within [0, 1] even "
            f"with all the weights scaled up {WEIGHT_SCALE:g} times: it returns probabilities. "
            + self.no_sigmoid_hint
        )

    def decodes_any_codings(self, n: int, seed: int) -> None:
        """Codings drawn from N(0, I) decode to (n, 28, 28) images too."""
        codings = np.random.default_rng(seed).standard_normal((n, self.codings_size))
        with self._refusing_reference():
            decoded = self._decode(codings.astype(np.float32))
        check_shape(decoded, (n, *IMAGE), f"{self.decode_call} for {n} random codings")
        self._check_decoded_range(decoded)

    def trainable(self, x: np.ndarray, seed: int) -> None:
        """The model has trainable weights, and one optimizer step changes its output. (Run it
        last: it changes the model.)"""
        target = np.random.default_rng(seed).random(x.shape, dtype=np.float32)
        with self._refusing_reference():
            assert self._trainable_count() > 0, self.untrainable_message
            before = self._logits(x)
            self._gradient_step(x, target)
            after = self._logits(x)
        assert not np.allclose(before, after), (
            f"One gradient step did not change the output of {self.logits_call}: are the "
            "layers' weights trainable and used in its computation?"
        )

    def _check_decoding_agrees(self, logits, decoded) -> None:
        raise NotImplementedError

    def _check_decoded_range(self, decoded) -> None:
        raise NotImplementedError


class TorchAutoencoderChecks(_AutoencoderChecks):
    """Checks of an nn.Module with encode(x) -> codings, decode(codings) -> probabilities and
    forward(x) -> logits."""

    encode_call, logits_call, decode_call = "encode(x)", "model(x)", "decode(codings)"
    flatten, reshape = "nn.Flatten()", "nn.Unflatten(1, (28, 28))"
    no_sigmoid_hint = "Remove the final sigmoid from forward (decode applies it)."
    untrainable_message = (
        "The model has no trainable parameters, so it cannot learn. Assign the layers to "
        "attributes of the module (self.encoder = nn.Sequential(...)) or keep them in an "
        "nn.ModuleList, not in a plain Python list."
    )

    def _build(self, seed: int) -> None:
        import torch
        from torch import nn

        torch.manual_seed(seed)
        model = self.answer(self.codings_size)
        assert isinstance(model, nn.Module), (
            f"build_autoencoder should return an nn.Module, not {type(model).__name__}."
        )
        for method in ("encode", "decode", "forward"):
            assert callable(getattr(model, method, None)), f"The model has no {method}(...) method."
        self.model = model

    @property
    def n_parameters(self) -> int:
        return sum(p.numel() for p in self.model.parameters())

    def _encode(self, x: np.ndarray) -> np.ndarray:
        import torch

        with torch.no_grad():
            try:
                return to_numpy(self.model.encode(torch.from_numpy(x)))
            except NotImplementedError:
                raise
            except RuntimeError as error:
                raise AssertionError(
                    f"model.encode(x) failed for x of shape {tuple(x.shape)}: {error}. Did you "
                    "flatten each image to 784 values first (nn.Flatten())?"
                ) from None

    def _logits(self, x: np.ndarray) -> np.ndarray:
        import torch

        with torch.no_grad():
            return to_numpy(self.model(torch.from_numpy(x)))

    def _decode(self, codings: np.ndarray) -> np.ndarray:
        import torch

        with torch.no_grad():
            return to_numpy(self.model.decode(torch.from_numpy(codings.astype(np.float32))))

    def _check_decoding_agrees(self, logits, decoded) -> None:
        self._check_decoded_range(decoded)
        assert not np.allclose(logits, decoded), (
            "model(x) returns the same values as decode(encode(x)), but forward should return "
            "logits (the decoder's output before the sigmoid), and decode should apply the "
            "sigmoid to them."
        )
        check_close(
            decoded,
            _sigmoid(logits),
            "decode(encode(x))",
            hint="decode(encode(x)) should equal torch.sigmoid(model(x)): forward returns the "
            "logits that decode turns into probabilities.",
            rtol=1e-4,
            atol=1e-5,
        )

    def _check_decoded_range(self, decoded) -> None:
        _check_probabilities(decoded, "decode(codings)", "torch.sigmoid")

    def _scaled_up_logits(self, x: np.ndarray) -> np.ndarray:
        """The logits of a copy of the model whose weights are all scaled up; that copy's
        decode must still return probabilities."""
        import torch

        big = copy.deepcopy(self.model)
        with torch.no_grad():
            for parameter in big.parameters():
                parameter.mul_(WEIGHT_SCALE)
            images = torch.from_numpy(x)
            logits = to_numpy(big(images))
            _check_probabilities(big.decode(big.encode(images)), "decode(codings)", "torch.sigmoid")
        return logits

    def _trainable_count(self) -> int:
        return sum(p.numel() for p in self.model.parameters() if p.requires_grad)

    def _gradient_step(self, x: np.ndarray, target: np.ndarray) -> None:
        import torch

        optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)
        loss = ((self.model(torch.from_numpy(x)) - torch.from_numpy(target)) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


class KerasAutoencoderChecks(_AutoencoderChecks):
    """Checks of a tuple (encoder, decoder, autoencoder) of Keras models that share their layers:
    images -> codings, codings -> logits, images -> logits."""

    encode_call, logits_call, decode_call = "encoder(x)", "autoencoder(x)", "decoder(codings)"
    flatten, reshape = "layers.Flatten()", "layers.Reshape((28, 28))"
    no_sigmoid_hint = (
        "Remove the sigmoid activation from the decoder's last layer (apply keras.ops.sigmoid "
        "only to look at images)."
    )
    untrainable_message = "The autoencoder has no trainable weights, so it cannot learn."

    def _build(self, seed: int) -> None:
        import keras

        keras.utils.set_random_seed(seed)
        try:
            parts = self.answer(self.codings_size)
        except ValueError as error:
            hint = (
                "The encoder's output keeps an axis of 28: did you flatten each image to 784 "
                "values first (layers.Flatten())?"
                if ", 28, " in str(error)
                else "Check that each layer receives the shape the previous one produces."
            )
            raise AssertionError(
                f"build_autoencoder({self.codings_size}) failed: {error} {hint}"
            ) from None
        assert isinstance(parts, (tuple, list)) and len(parts) == 3, (
            "build_autoencoder should return a tuple (encoder, decoder, autoencoder)."
        )
        for name, part in zip(("encoder", "decoder", "autoencoder"), parts, strict=True):
            assert isinstance(part, keras.Model), (
                f"{name} should be a keras.Model (for example a keras.Sequential), not "
                f"{type(part).__name__}."
            )
        self.encoder, self.decoder, self.autoencoder = parts

    @property
    def n_parameters(self) -> int:
        return self.autoencoder.count_params()

    def _encode(self, x: np.ndarray) -> np.ndarray:
        try:
            return to_numpy(self.encoder(x))
        except ValueError as error:
            raise AssertionError(
                f"encoder(x) failed for x of shape {tuple(x.shape)}: {error}. The encoder takes "
                "images of shape (28, 28) and flattens them itself (layers.Flatten())."
            ) from None

    def _logits(self, x: np.ndarray) -> np.ndarray:
        return to_numpy(self.autoencoder(x))

    def _decode(self, codings: np.ndarray) -> np.ndarray:
        return to_numpy(self.decoder(codings.astype(np.float32)))

    def _check_decoding_agrees(self, logits, decoded) -> None:
        check_close(
            logits,
            decoded,
            "autoencoder(x)",
            hint="autoencoder(x) should equal decoder(encoder(x)): build the autoencoder from the "
            "encoder and decoder models themselves (e.g. keras.Sequential([encoder, decoder])), "
            "so that the three models share their layers.",
            rtol=1e-4,
            atol=1e-5,
        )

    def _check_decoded_range(self, decoded) -> None:
        """The decoder returns logits: any real values."""

    def _scaled_up_logits(self, x: np.ndarray) -> np.ndarray:
        """The autoencoder's logits with all its weights scaled up (then restored)."""
        from keras import ops

        weights = self.autoencoder.trainable_weights
        saved = [ops.convert_to_numpy(w) for w in weights]
        for weight in weights:
            weight.assign(weight * WEIGHT_SCALE)
        try:
            return to_numpy(self.autoencoder(x))
        finally:
            for weight, value in zip(weights, saved, strict=True):
                weight.assign(value)

    def _trainable_count(self) -> int:
        return len(self.autoencoder.trainable_weights)

    def _gradient_step(self, x: np.ndarray, target: np.ndarray) -> None:
        import keras
        import tensorflow as tf
        from keras import ops

        weights = self.autoencoder.trainable_weights
        with tf.GradientTape() as tape:
            loss = ops.mean(ops.square(self.autoencoder(x, training=True) - target))
        pairs = [
            (g, w)
            for g, w in zip(tape.gradient(loss, weights), weights, strict=True)
            if g is not None
        ]
        assert pairs, (
            "No gradient reaches the autoencoder's weights: are its layers used in its call?"
        )
        keras.optimizers.SGD(learning_rate=0.1).apply_gradients(pairs)


# --- is_repeatable -----------------------------------------------------------------------------

TINY_NOISE = 1e-4  # below this, a comparison with a tolerance (allclose) misses the noise


@functools.cache
def _torch_noisy_class():
    import torch
    from torch import nn

    class Noisy(nn.Module):
        """A small model whose outputs (close to 1) get fresh Gaussian noise at every call."""

        def __init__(self, stddev):
            super().__init__()
            self.stddev = stddev
            self.dense = nn.Sequential(nn.Flatten(), nn.Linear(PIXELS, 10))

        def forward(self, x):
            out = 1.0 + 0.1 * self.dense(x)
            return out + self.stddev * torch.randn_like(out)

    return Noisy


@functools.cache
def _keras_noise_layer():
    import keras
    from keras import ops

    class AddNoise(keras.layers.Layer):
        """Adds fresh Gaussian noise to its input at every call, as a VAE's sampling step does."""

        def __init__(self, stddev, **kwargs):
            super().__init__(**kwargs)
            self.stddev = stddev

        def call(self, inputs):
            return inputs + self.stddev * keras.random.normal(ops.shape(inputs))

    return AddNoise


def noisy_model(stddev: float, framework: str):
    """A small model of ``framework`` ("torch" or "tensorflow") whose outputs, close to 1, get
    fresh Gaussian noise with this standard deviation at every call."""
    if framework == "torch":
        return _torch_noisy_class()(stddev)
    import keras

    return keras.Sequential(
        [
            keras.Input(shape=IMAGE),
            keras.layers.Flatten(),
            keras.layers.Dense(10),
            keras.layers.Rescaling(0.1, offset=1.0),
            _keras_noise_layer()(stddev),
        ]
    )


def _verdict(is_repeatable, model, x) -> bool:
    with without_reference(is_repeatable):
        result = is_repeatable(model, x)
    assert type(result) is bool, (
        f"is_repeatable should return a Python bool (True or False), not "
        f"{type(result).__module__}.{type(result).__name__}: wrap the comparison in bool(...)."
    )
    return result


def check_repeatable(is_repeatable, model, x) -> None:
    """A deterministic ``model`` is reported as repeatable on ``x``."""
    assert _verdict(is_repeatable, model, x), (
        f"A deterministic model was reported as not repeatable (batch of {len(x)}): call it "
        "twice on the same x and compare the two outputs element by element."
    )


def check_not_repeatable(is_repeatable, x, stddev: float) -> None:
    """A model that adds fresh noise with standard deviation ``stddev`` to its outputs (close to
    1) at every call is reported as not repeatable on ``x``."""
    framework = framework_of(x)
    if not _verdict(is_repeatable, noisy_model(stddev, framework), x):
        return
    if stddev < TINY_NOISE:
        exact = "torch.equal" if framework == "torch" else "np.array_equal"
        raise AssertionError(
            f"A model whose outputs (close to 1) get random noise with a standard deviation of "
            f"{stddev:g} was reported as repeatable: compare the outputs exactly ({exact}), not "
            "with a tolerance such as allclose."
        )
    raise AssertionError(
        f"A model that adds random noise to its output at every call (like a VAE) was reported "
        f"as repeatable (batch of {len(x)}): call the model twice, compare the two outputs, and "
        "do not reset a random seed in between."
    )
