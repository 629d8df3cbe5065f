"""The reference trainers against the book's recipe, side by side in one run.

The book's recipe (seed ``003``), ported to Keras 3 as literally as the API allows: the dense
150-100 VAE with 10 codings and linear outputs, Keras' "mse" (a mean over the 784 pixels) plus
the latent loss divided by 784 (``add_loss`` inside the model's ``call``: Keras 3 no longer takes
it on a functional model), Nadam, batches of 128, 25 epochs. Its quality after 25 epochs is the
target: the per-pixel MSE of the test images' mean-path reconstructions, and the Fréchet
distance (``vaecourse.metrics``) of 10,000 prior samples to the test images.

Then ``vaecourse.torch.fit`` and ``vaecourse.keras.fit`` train the same architecture with their
defaults, and after every epoch the same two scores are measured (outside the clock): the
time-to-quality is the training time until both are at least as good as the recipe's. Every
trainer's throughput is the training images per second over its epochs.
"""

from __future__ import annotations

import os
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

RECIPE_EPOCHS = 25
MAX_EPOCHS = 25  # for the reference trainers: they must get there well before
N_SAMPLES = 10_000
SAMPLE_SEED = 0


class _Reached(Exception):
    """Raised from an epoch callback to stop a trainer once it reached the target."""


def _scores(reconstructions, samples, test) -> dict[str, float]:
    """The two scores. NumPy's BLAS runs on one thread here: its idle threads otherwise keep
    spinning on both cores after a score, and the next epoch, on the clock, ran up to 3x slower
    (measured with Keras: epochs of 0.9 s became 3.4 s)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _measure(reconstructions, samples, test)


def _measure(reconstructions, samples, test) -> dict[str, float]:
    from vaecourse.metrics import frechet_distance

    reconstructions = np.asarray(reconstructions, np.float32).reshape(test.shape)
    samples = np.clip(np.asarray(samples, np.float32).reshape(-1, 28, 28), 0.0, 1.0)
    return {
        "mse": float(np.mean((reconstructions - test) ** 2)),
        "frechet_distance": frechet_distance(samples, test),
    }


def _prior(codings_size: int = 10) -> np.ndarray:
    return np.random.default_rng(SAMPLE_SEED).standard_normal((N_SAMPLES, codings_size), np.float32)


def book_recipe(data, seed: int = 0) -> dict:
    """The book's recipe for 25 epochs: its seconds per epoch and its final scores."""
    import keras
    import tensorflow as tf
    from keras import layers, ops

    keras.utils.set_random_seed(seed)

    class Sampling(layers.Layer):
        def call(self, inputs):
            mean, log_var = inputs
            return tf.random.normal(tf.shape(log_var)) * ops.exp(log_var / 2) + mean

    class BookVAE(keras.Model):
        """The book's encoder, Sampling layer and decoder; the latent loss / 784 as add_loss."""

        def __init__(self):
            super().__init__()
            self.hidden = keras.Sequential(
                [layers.Flatten(), layers.Dense(150, "relu"), layers.Dense(100, "relu")]
            )
            self.codings_mean, self.codings_log_var = layers.Dense(10), layers.Dense(10)
            self.sampling = Sampling()
            self.decoder = keras.Sequential(
                [
                    layers.Dense(100, "relu"),
                    layers.Dense(150, "relu"),
                    layers.Dense(28 * 28),
                    layers.Reshape([28, 28]),
                ]
            )

        def encode_mean(self, x):
            return self.codings_mean(self.hidden(x))

        def call(self, x):
            hidden = self.hidden(x)
            mean, log_var = self.codings_mean(hidden), self.codings_log_var(hidden)
            latent_loss = -0.5 * ops.sum(1 + log_var - ops.exp(log_var) - ops.square(mean), -1)
            self.add_loss(ops.mean(latent_loss) / 784.0)
            return self.decoder(self.sampling([mean, log_var]))

    vae = BookVAE()
    vae.compile(loss="mse", optimizer="nadam")
    x_train, test = data.train.images, data.test.images
    start = time.perf_counter()
    vae.fit(x_train, x_train, epochs=RECIPE_EPOCHS, batch_size=128, verbose=0)
    seconds = time.perf_counter() - start
    reconstructions = vae.decoder.predict(vae.encode_mean(test), batch_size=1000, verbose=0)
    samples = vae.decoder.predict(_prior(), batch_size=1000, verbose=0)
    return {
        "trainer": "the book's recipe (Keras 3: mse + latent / 784, Nadam, batch 128)",
        "epochs": RECIPE_EPOCHS,
        "seconds": round(seconds, 1),
        "images_per_second": round(RECIPE_EPOCHS * len(x_train) / seconds),
        **_scores(reconstructions, samples, test),
    }


def _until(fit, model, data, quality, target, label: str, seed: int) -> dict:
    """Train ``model`` with ``fit`` and stop it once ``quality()`` meets ``target``; the clock
    stops while the scores are measured."""
    scoring, epochs, met = [0.0], [0], {}

    def on_epoch_end(epoch, history):
        started = time.perf_counter()
        epochs[0] = epoch
        scores = quality()
        if scores["mse"] <= target["mse"] and (
            scores["frechet_distance"] <= target["frechet_distance"]
        ):
            met.update(scores, epoch=epoch)
        scoring[0] += time.perf_counter() - started
        if met:
            raise _Reached

    start = time.perf_counter()
    try:
        fit(
            model,
            data.train.images,
            epochs=MAX_EPOCHS,
            seed=seed,
            progress=False,
            on_epoch_end=on_epoch_end,
        )
    except _Reached:
        pass
    seconds = time.perf_counter() - start - scoring[0]
    return {
        "trainer": label,
        "epochs": epochs[0],
        "seconds": round(seconds, 1),
        "images_per_second": round(epochs[0] * len(data.train.images) / seconds),
        "reached": bool(met),
        **{k: v for k, v in met.items() if k != "epoch"},
    }


def torch_trainer(data, target, seed: int = 0, threads: int | None = None) -> dict:
    import torch

    import vaecourse.torch as vt

    if threads:
        torch.set_num_threads(threads)
    threads = torch.get_num_threads()
    torch.manual_seed(seed)
    model = vt.DenseVAE()
    test, prior = torch.from_numpy(data.test.images), torch.from_numpy(_prior())

    def quality():
        with torch.no_grad():
            reconstructions = model.decode(model.encode(test)[0])
            samples = model.decode(prior)
        return _scores(reconstructions.numpy(), samples.numpy(), data.test.images)

    label = f"vaecourse.torch.fit (Adam, batch 256, lr 2e-3, {threads} threads)"
    return _until(vt.fit, model, data, quality, target, label, seed)


def keras_trainer(data, target, seed: int = 0) -> dict:
    import keras

    import vaecourse.keras as vk

    keras.utils.set_random_seed(seed)
    vae = vk.build_dense_vae(seed=seed)
    prior = _prior()

    def quality():
        z_mean, _ = vae.encode(data.test.images)
        return _scores(vae.decode(z_mean), vae.decode(prior), data.test.images)

    return _until(
        vk.fit, vae, data, quality, target, "vaecourse.keras.fit (Adam, batch 256, lr 2e-3)", seed
    )


def run(data, threads: int | None = None) -> dict:
    """{"recipe": ..., "trainers": [...]}: the recipe's row and one row per reference trainer,
    each with its speed-up in time-to-quality over the recipe."""
    recipe = book_recipe(data)
    target = {"mse": recipe["mse"], "frechet_distance": recipe["frechet_distance"]}
    rows = [torch_trainer(data, target, threads=threads), keras_trainer(data, target)]
    for row in rows:
        row["speedup"] = round(recipe["seconds"] / row["seconds"], 1) if row["reached"] else None
    return {"recipe": recipe, "trainers": rows}
