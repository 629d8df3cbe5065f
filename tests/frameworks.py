"""One small adapter per framework, so each reference test is written once and run on both.

Every adapter takes and returns NumPy arrays (float32 in, float64 out for the losses).
"""

from __future__ import annotations

import numpy as np


class TorchAdapter:
    name = "torch"

    def __init__(self):
        import torch

        import vaecourse.torch as ref

        self.torch, self.ref = torch, ref

    def _t(self, a):
        return self.torch.as_tensor(np.asarray(a, dtype=np.float32))

    def kl(self, mu, gamma):
        return self.ref.kl_divergence(self._t(mu), self._t(gamma)).double().numpy()

    def kl_std(self, mu, std):
        return self.ref.kl_divergence_std(self._t(mu), self._t(std)).double().numpy()

    def bce(self, x, logits):
        return self.ref.reconstruction_bce(self._t(x), self._t(logits)).double().numpy()

    def mse(self, x, x_hat):
        return self.ref.reconstruction_mse(self._t(x), self._t(x_hat)).double().numpy()

    def vae_loss(self, x, logits, mu, gamma, beta=1.0):
        return float(
            self.ref.vae_loss(self._t(x), self._t(logits), self._t(mu), self._t(gamma), beta)
        )

    def sample(self, mu, gamma, seed):
        return self.ref.sample_codings(self._t(mu), self._t(gamma), seed=seed).numpy()

    def sample_gradients(self, mu, gamma, seed=0):
        """Gradients of sum(z) with respect to mu and gamma."""
        mu, gamma = self._t(mu).requires_grad_(), self._t(gamma).requires_grad_()
        self.ref.sample_codings(mu, gamma, seed=seed).sum().backward()
        return mu.grad.numpy(), gamma.grad.numpy()

    def dense_vae(self, seed=0):
        self.torch.manual_seed(seed)
        return self.ref.DenseVAE()

    def dense_vae_sized(self, codings_size, seed=0):
        self.torch.manual_seed(seed)
        return self.ref.DenseVAE(codings_size=codings_size)

    def conv_vae(self, seed=0):
        self.torch.manual_seed(seed)
        return self.ref.ConvVAE()

    def encode(self, model, x):
        with self.torch.no_grad():
            return tuple(t.numpy() for t in model.encode(self._t(x)))

    def decode(self, model, z):
        with self.torch.no_grad():
            return model.decode(self._t(z)).numpy()

    def decode_logits(self, model, z):
        with self.torch.no_grad():
            return model.decode_logits(self._t(z)).numpy()

    def fit(self, model, x, **kwargs):
        return self.ref.fit(model, x, progress=False, **kwargs)

    def evaluate_elbo(self, model, x):
        return self.ref.evaluate_elbo(model, x)


class KerasAdapter:
    name = "keras"

    def __init__(self):
        import keras

        import vaecourse.keras as ref

        self.keras, self.ref = keras, ref

    def _np(self, t):
        return np.asarray(self.keras.ops.convert_to_numpy(t))

    def _t(self, a):
        return self.keras.ops.convert_to_tensor(np.asarray(a, dtype=np.float32))

    def kl(self, mu, gamma):
        return self._np(self.ref.kl_divergence(self._t(mu), self._t(gamma))).astype(np.float64)

    def kl_std(self, mu, std):
        return self._np(self.ref.kl_divergence_std(self._t(mu), self._t(std))).astype(np.float64)

    def bce(self, x, logits):
        return self._np(self.ref.reconstruction_bce(self._t(x), self._t(logits))).astype(np.float64)

    def mse(self, x, x_hat):
        return self._np(self.ref.reconstruction_mse(self._t(x), self._t(x_hat))).astype(np.float64)

    def vae_loss(self, x, logits, mu, gamma, beta=1.0):
        return float(
            self._np(
                self.ref.vae_loss(self._t(x), self._t(logits), self._t(mu), self._t(gamma), beta)
            )
        )

    def sample(self, mu, gamma, seed):
        return self._np(self.ref.Sampling(seed=seed)([self._t(mu), self._t(gamma)]))

    def sample_gradients(self, mu, gamma, seed=0):
        import tensorflow as tf

        mu, gamma = (
            tf.Variable(np.asarray(mu, np.float32)),
            tf.Variable(np.asarray(gamma, np.float32)),
        )
        with tf.GradientTape() as tape:
            total = tf.reduce_sum(self.ref.Sampling(seed=seed)([mu, gamma]))
        return tuple(g.numpy() for g in tape.gradient(total, [mu, gamma]))

    def dense_vae(self, seed=0, **kwargs):
        self.keras.utils.set_random_seed(seed)
        return self.ref.build_dense_vae(seed=seed, **kwargs)

    def conv_vae(self, seed=0):
        self.keras.utils.set_random_seed(seed)
        return self.ref.build_conv_vae(seed=seed)

    def encode(self, model, x):
        return tuple(self._np(t) for t in model.encode(self._t(x)))

    def decode(self, model, z):
        return self._np(model.decode(self._t(z)))

    def decode_logits(self, model, z):
        return self._np(model.decoder(self._t(z)))

    def fit(self, model, x, **kwargs):
        return self.ref.fit(model, x, progress=False, **kwargs)

    def evaluate_elbo(self, model, x):
        return self.ref.evaluate_elbo(model, x)


ADAPTERS = {"torch": TorchAdapter, "keras": KerasAdapter}
