"""The reparameterization trick as a Keras layer: z = mu + sigma * eps, eps ~ N(0, I)."""

from __future__ import annotations

import keras
from keras import ops


class Sampling(keras.layers.Layer):
    """Draw codings from N(z_mean, exp(z_log_var)); call it on ``[z_mean, z_log_var]``.

    ``seed``: an int or a ``keras.random.SeedGenerator``. A layer built with the same int seed
    draws the same sequence of samples; each call advances the generator, and each example and
    dimension gets its own noise. ``z_log_var`` is gamma = log sigma^2, so sigma = exp(gamma / 2).
    """

    def __init__(self, seed: int | keras.random.SeedGenerator | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = (
            seed
            if isinstance(seed, keras.random.SeedGenerator)
            else keras.random.SeedGenerator(seed)
        )

    def call(self, inputs):
        z_mean, z_log_var = inputs
        eps = keras.random.normal(ops.shape(z_mean), dtype=z_mean.dtype, seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * eps
