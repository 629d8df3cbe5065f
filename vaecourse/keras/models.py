"""A Keras 3 VAE with a custom ``train_step``/``test_step``, and builders for the book's dense
VAE and a small convolutional one. The encoder outputs ``[z_mean, z_log_var, codings]`` and the
decoder outputs logits of shape (N, 28, 28)."""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers, ops

from .losses import kl_divergence, reconstruction_bce
from .sampling import Sampling


class VAE(keras.Model):
    """Trains on ``reconstruction + beta * kl`` and reports the three as metrics."""

    def __init__(self, encoder: keras.Model, decoder: keras.Model, beta: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.beta = beta
        self.trackers = {
            name: keras.metrics.Mean(name=name) for name in ("loss", "reconstruction", "kl")
        }

    @property
    def metrics(self):
        return list(self.trackers.values())

    def call(self, x, training=False):
        """Logits of a reconstruction through a sampled coding."""
        _, _, codings = self.encoder(x, training=training)
        return self.decoder(codings, training=training)

    def encode(self, x):
        z_mean, z_log_var, _ = self.encoder(x)
        return z_mean, z_log_var

    def decode(self, codings):
        """Probabilities in [0, 1], shape (N, 28, 28)."""
        return ops.sigmoid(self.decoder(codings))

    def _compute_losses(self, x, training):
        z_mean, z_log_var, codings = self.encoder(x, training=training)
        logits = self.decoder(codings, training=training)
        reconstruction = ops.mean(reconstruction_bce(x, logits))
        kl = ops.mean(kl_divergence(z_mean, z_log_var))
        return reconstruction + self.beta * kl, reconstruction, kl

    def _report(self, *values):
        for tracker, value in zip(self.trackers.values(), values, strict=True):
            tracker.update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def train_step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            loss, reconstruction, kl = self._compute_losses(x, training=True)
        grads = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights, strict=True))
        return self._report(loss, reconstruction, kl)

    def test_step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        return self._report(*self._compute_losses(x, training=False))


def _encoder(body: list, codings_size: int, seed) -> keras.Model:
    inputs = keras.Input(shape=(28, 28))
    hidden = inputs
    for layer in body:
        hidden = layer(hidden)
    z_mean = layers.Dense(codings_size, name="z_mean")(hidden)
    z_log_var = layers.Dense(codings_size, name="z_log_var")(hidden)
    codings = Sampling(seed=seed, name="codings")([z_mean, z_log_var])
    return keras.Model(inputs, [z_mean, z_log_var, codings], name="encoder")


def _decoder(body: list, codings_size: int) -> keras.Model:
    return keras.Sequential(
        [keras.Input(shape=(codings_size,)), *body, layers.Reshape((28, 28))], name="decoder"
    )


def build_dense_vae(
    codings_size: int = 10, hidden: tuple[int, int] = (150, 100), beta: float = 1.0, seed=None
) -> VAE:
    """The book's VAE for Fashion-MNIST: 784 -> 150 -> 100 -> codings, mirrored in the decoder.
    ``seed`` seeds the Sampling layer."""
    h1, h2 = hidden
    encoder = _encoder(
        [
            layers.Flatten(),
            layers.Dense(h1, activation="relu"),
            layers.Dense(h2, activation="relu"),
        ],
        codings_size,
        seed,
    )
    decoder = _decoder(
        [
            layers.Dense(h2, activation="relu"),
            layers.Dense(h1, activation="relu"),
            layers.Dense(28 * 28),
        ],
        codings_size,
    )
    return VAE(encoder, decoder, beta=beta, name="dense_vae")


def build_conv_vae(codings_size: int = 10, beta: float = 1.0, seed=None) -> VAE:
    """A small convolutional VAE: two stride-2 convolutions (16 and 32 channels) down to 7x7,
    two transposed convolutions back up, then a 3x3 convolution to one channel of logits.
    Kept narrow so that an epoch of Fashion-MNIST takes well under a minute on 2 CPU cores.

    It computes exactly what ``vaecourse.torch.ConvVAE`` computes, so that one weight file serves
    both: PyTorch's padding (one pixel on every side, then a "valid" convolution), its transposed
    convolutions (a "valid" one, then the first row and column cropped, which is PyTorch's
    ``padding=1, output_padding=1``), and its channels-first order wherever a dense layer meets a
    feature map (``Permute``)."""
    encoder = _encoder(
        [
            layers.Reshape((28, 28, 1)),
            layers.ZeroPadding2D(1),
            layers.Conv2D(16, 3, strides=2, activation="relu"),
            layers.ZeroPadding2D(1),
            layers.Conv2D(32, 3, strides=2, activation="relu"),
            layers.Permute((3, 1, 2)),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
        ],
        codings_size,
        seed,
    )
    decoder = _decoder(
        [
            layers.Dense(32 * 7 * 7, activation="relu"),
            layers.Reshape((32, 7, 7)),
            layers.Permute((2, 3, 1)),
            layers.Conv2DTranspose(32, 3, strides=2, activation="relu"),
            layers.Cropping2D(((1, 0), (1, 0))),
            layers.Conv2DTranspose(16, 3, strides=2, activation="relu"),
            layers.Cropping2D(((1, 0), (1, 0))),
            layers.Conv2D(1, 3, padding="same"),
        ],
        codings_size,
    )
    return VAE(encoder, decoder, beta=beta, name="conv_vae")
