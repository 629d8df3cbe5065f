"""Benchmark: the book's dense VAE on Fashion-MNIST, trained three ways.

1. ``vaecourse.torch.fit``  2. ``vaecourse.keras.fit``  3. a plain TensorFlow loop written the
way the book does it: decoder outputs squashed to [0, 1] with a sigmoid, Keras' "mse" (a mean over
the 784 pixels) plus the latent loss divided by 784, and Nadam. (The book's own listing uses
``add_loss`` on a functional model, which Keras 3 no longer supports, so the recipe is rewritten
as a loop.) All three are scored the same way: test -ELBO in nats per image with a Bernoulli
likelihood, one sampled coding per image. This is a script, not a test:

    python benchmarks/bench_dense_vae.py --epochs 3
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def bench_torch(data, epochs, batch_size):
    import torch

    import vaecourse.torch as vt

    torch.manual_seed(0)
    model = vt.DenseVAE()
    start = time.perf_counter()
    vt.fit(model, data.train.images, epochs=epochs, batch_size=batch_size, progress=False)
    seconds = (time.perf_counter() - start) / epochs
    return seconds, vt.evaluate_elbo(model, data.test.images)["neg_elbo"]


def bench_keras(data, epochs, batch_size):
    import keras

    import vaecourse.keras as vk

    keras.utils.set_random_seed(0)
    vae = vk.build_dense_vae(seed=0)
    start = time.perf_counter()
    vk.fit(vae, data.train.images, epochs=epochs, batch_size=batch_size, progress=False)
    seconds = (time.perf_counter() - start) / epochs
    return seconds, vk.evaluate_elbo(vae, data.test.images)["neg_elbo"]


def bench_book_loop(data, epochs, batch_size):
    import keras
    import tensorflow as tf

    import vaecourse.keras as vk

    keras.utils.set_random_seed(0)
    vae = vk.build_dense_vae(seed=0)
    optimizer = keras.optimizers.Nadam()
    mse = keras.losses.MeanSquaredError()

    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            z_mean, z_log_var, codings = vae.encoder(x, training=True)
            images = tf.sigmoid(vae.decoder(codings, training=True))
            latent = -0.5 * tf.reduce_sum(1 + z_log_var - tf.exp(z_log_var) - z_mean**2, axis=-1)
            loss = mse(x, images) + tf.reduce_mean(latent) / 784.0
        grads = tape.gradient(loss, vae.trainable_weights)
        optimizer.apply_gradients(zip(grads, vae.trainable_weights, strict=True))

    batches = (
        tf.data.Dataset.from_tensor_slices(data.train.images)
        .shuffle(len(data.train.images), seed=0)
        .batch(batch_size)
    )
    start = time.perf_counter()
    for _ in range(epochs):
        for x in batches:
            step(x)
    seconds = (time.perf_counter() - start) / epochs
    return seconds, vk.evaluate_elbo(vae, data.test.images)["neg_elbo"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args()

    from vaecourse.data import load_fashion_mnist

    data = load_fashion_mnist()
    rows = [
        ("vaecourse.torch.fit", bench_torch),
        ("vaecourse.keras.fit", bench_keras),
        ("book recipe, plain TF loop", bench_book_loop),
    ]
    print(
        f"Dense VAE (150-100, 10 codings), {args.epochs} epochs, batch {args.batch_size}, "
        f"{len(data.train.images)} training images, {os.cpu_count()} CPU cores\n"
    )
    print("| training | s / epoch | test -ELBO (nats/image) |")
    print("|---|---:|---:|")
    for name, bench in rows:
        seconds, neg_elbo = bench(data, args.epochs, args.batch_size)
        print(f"| {name} | {seconds:.1f} | {neg_elbo:.1f} |", flush=True)


if __name__ == "__main__":
    main()
