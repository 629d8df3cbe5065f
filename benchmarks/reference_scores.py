"""Sample-quality reference numbers for the README: the metric classifier's test accuracy and
Fréchet distances (test vs train, test vs valid, and the reference dense VAE's prior samples vs
test). A script, not a test:

    python benchmarks/reference_scores.py --epochs 10
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()

    import torch

    import vaecourse.torch as vt
    from vaecourse import metrics
    from vaecourse.data import load_fashion_mnist

    data = load_fashion_mnist()
    test = data.test.images
    accuracy = np.mean(metrics.predict_proba(test).argmax(axis=1) == data.test.labels)
    print(f"classifier test accuracy: {accuracy:.4f}")
    train = data.train.images[:10_000]
    print(f"FD test vs train[:10000]: {metrics.frechet_distance(test, train):.2f}")
    print(f"FD test vs valid: {metrics.frechet_distance(test, data.valid.images):.2f}")

    torch.manual_seed(0)
    model = vt.DenseVAE()
    start = time.perf_counter()
    vt.fit(model, data.train.images, epochs=args.epochs, progress=False)
    print(
        f"trained the dense VAE for {args.epochs} epochs in {time.perf_counter() - start:.0f} s; "
        f"test -ELBO {vt.evaluate_elbo(model, test)['neg_elbo']:.1f} nats"
    )
    with torch.no_grad():
        codings = torch.randn(
            10_000, model.codings_size, generator=torch.Generator().manual_seed(0)
        )
        samples = model.decode(codings).numpy()
    quality = metrics.sample_quality(samples, test)
    print(
        f"prior samples vs test: FD {quality['frechet_distance']:.2f}, "
        f"confidence {quality['confidence']:.3f}"
    )


if __name__ == "__main__":
    main()
