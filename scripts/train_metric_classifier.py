"""Train the small Fashion-MNIST CNN behind ``vaecourse.metrics``; save its weights as NumPy arrays.

Architecture: conv 3x3 1->16 (pad 1), ReLU, maxpool 2 -> conv 3x3 16->32 (pad 1), ReLU, maxpool 2
-> flatten (C, H, W) = 32*7*7 -> dense 128, ReLU (the 128 "features") -> dense 10 (logits).

The weights go to an uncompressed .npz (float32 arrays, no pickles) written with fixed zip
timestamps, so the same weights always give the same file bytes and SHA-256. After retraining,
copy the printed SHA-256 into ``WEIGHTS_SHA256`` in ``vaecourse/metrics.py``.

    python scripts/train_metric_classifier.py --epochs 6 --data-dir /work/shared/data
"""

from __future__ import annotations

import argparse
import hashlib
import time
import zipfile
from pathlib import Path

import numpy as np
import torch
from torch import nn

from vaecourse import metrics
from vaecourse.data import load_fashion_mnist

DEFAULT_OUT = (
    Path(__file__).resolve().parents[1] / "vaecourse" / "weights" / "fashion_classifier.npz"
)


class MetricClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, 10)
        self.pool = nn.MaxPool2d(2)

    def features(self, x):  # x: (N, 1, 28, 28)
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        return torch.relu(self.fc1(torch.flatten(x, 1)))

    def forward(self, x):
        return self.fc2(self.features(x))


def save_npz_deterministic(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Like np.savez (uncompressed, one .npy per array, no pickles), but with fixed timestamps."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            with zf.open(info, "w") as f:
                np.lib.format.write_array(f, np.ascontiguousarray(arrays[name]), allow_pickle=False)
    tmp.replace(path)


def accuracy(model, images, labels, batch=1000) -> float:
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(images), batch):
            x = torch.from_numpy(images[i : i + batch]).unsqueeze(1)
            correct += (model(x).argmax(1).numpy() == labels[i : i + batch]).sum()
    return correct / len(images)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument(
        "--lr",
        type=float,
        default=2e-3,
        help="initial Adam learning rate, annealed to 0 on a cosine schedule",
    )
    args = parser.parse_args(argv)

    torch.set_num_threads(2)
    torch.manual_seed(0)
    np.random.seed(0)
    rng = np.random.default_rng(0)

    ds = load_fashion_mnist(data_dir=args.data_dir)
    x_train = torch.from_numpy(ds.train.images).unsqueeze(1)
    y_train = torch.from_numpy(ds.train.labels)

    model = MetricClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    n = len(x_train)
    steps_per_epoch = -(-n // args.batch_size)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, args.epochs * steps_per_epoch)
    t0 = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.from_numpy(rng.permutation(n))
        total = 0.0
        te = time.perf_counter()
        for i in range(0, n, args.batch_size):
            idx = order[i : i + args.batch_size]
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            total += loss.item() * len(idx)
        valid_acc = accuracy(model, ds.valid.images, ds.valid.labels)
        print(
            f"epoch {epoch}: train loss {total / n:.4f}, valid accuracy {valid_acc:.4f} "
            f"({time.perf_counter() - te:.1f} s)",
            flush=True,
        )
    train_time = time.perf_counter() - t0
    print(f"training time: {train_time:.1f} s")
    print(f"torch test accuracy: {accuracy(model, ds.test.images, ds.test.labels):.4f}")

    arrays = {
        name.replace(".", "_"): p.detach().numpy().astype(np.float32)
        for name, p in model.state_dict().items()
    }
    assert set(arrays) == set(metrics.WEIGHT_SHAPES), sorted(arrays)
    save_npz_deterministic(args.out, arrays)
    sha = hashlib.sha256(args.out.read_bytes()).hexdigest()

    # Evaluate with the NumPy implementation (not torch), from the file just written.
    params = metrics._read_params(args.out)
    t1 = time.perf_counter()
    feats_test, logits_test = metrics._forward(params, metrics._check_images(ds.test.images))
    numpy_time = time.perf_counter() - t1
    test_acc = float((logits_test.argmax(1) == ds.test.labels).mean())
    feats_train, _ = metrics._forward(params, metrics._check_images(ds.train.images[:10_000]))
    feats_valid, _ = metrics._forward(params, metrics._check_images(ds.valid.images))
    fd_train = metrics._frechet_from_features(feats_test, feats_train)
    fd_valid = metrics._frechet_from_features(feats_test, feats_valid)

    print(f"NumPy test accuracy (10,000 images): {test_acc:.4f}")
    print(f"NumPy inference time for 10,000 images: {numpy_time:.2f} s")
    print(f"Frechet distance test (10,000) vs train (first 10,000): {fd_train:.4f}")
    print(f"Frechet distance test (10,000) vs valid (5,000): {fd_valid:.4f}")
    print(f"saved {args.out} ({args.out.stat().st_size:,} bytes)")
    print(f"SHA-256: {sha}")
    if sha != metrics.WEIGHTS_SHA256:
        print(
            "This differs from vaecourse.metrics.WEIGHTS_SHA256; update that constant to use "
            "these weights."
        )


if __name__ == "__main__":
    main()
