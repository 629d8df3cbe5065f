"""Train the pretrained reference VAEs of ``vaecourse.pretrained``, and measure 04's -ELBO band.

``models`` (the default) trains every model of the registry in ``vaecourse/pretrained.py`` (or
those named with ``--only``) exactly as the registry describes it: the book's dense VAE in PyTorch
(``vaecourse.torch.DenseVAE``, or ``ConvVAE`` where the registry says so), Adam on
``reconstruction + beta * KL`` (Bernoulli cross-entropy summed over pixels, KL summed over codings,
both averaged over the batch), all 55,000 training images, from the model's seed (weights,
shuffling and noise). After every epoch it records the
-ELBO on the validation and test images; at the end it measures, on the 10,000 test images, the
-ELBO and its two terms, the active units, and the sample quality of 10,000 codings drawn from
N(0, I) with seed 0 (``vaecourse.metrics.sample_quality`` against the test images). The weights
and all of that go into one safetensors file per model, whose SHA-256 is printed: record it in the
registry. The same seed on the same machine and thread count (``--threads``, 1 by default: one
thread is also the fastest on a busy machine) gives the same weights.

``band`` trains the 04-generation notebook's own recipe with the course's reference code in both
frameworks, for several seeds, and prints the mean and spread of the test -ELBO that 04's test
of ``train_vae`` compares a student's model with.

    python scripts/train_pretrained.py models --data-dir /work/shared/data
    python scripts/train_pretrained.py models --only dense_vae_2d
    python scripts/train_pretrained.py models --out /tmp/retrained   # reproduce, and time it
    python scripts/train_pretrained.py band --seeds 0 1 2 3 4
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from safetensors.numpy import load_file, save_file  # noqa: E402

from vaecourse import pretrained  # noqa: E402
from vaecourse.data import load_fashion_mnist  # noqa: E402
from vaecourse.metrics import active_units, sample_quality  # noqa: E402

SAMPLE_SEED = 0  # the codings drawn from N(0, I) for the sample-quality score
N_SAMPLES = 10_000
# The recipe of 04-generation's training cell (both tracks): all the training images, batches
# of 128, Adam with a learning rate of 1e-3, this many epochs.
NOTEBOOK_EPOCHS = 15
NOTEBOOK_BATCH_SIZE = 128
NOTEBOOK_LEARNING_RATE = 1e-3
# What the file's "history" records, one value per epoch
HISTORY_KEYS = ("train_loss", "valid_neg_elbo", "test_neg_elbo", "test_reconstruction", "test_kl")


# --- the pretrained models -----------------------------------------------------------------------


def _train_one_epoch(model, optimizer, x_train, entry, generator) -> float:
    """One pass over the shuffled training images; returns the mean training loss per image."""
    import torch

    from vaecourse.torch import kl_divergence, reconstruction_bce

    model.train()
    order = torch.randperm(len(x_train), generator=generator)
    total = 0.0
    for start in range(0, len(x_train), entry.batch_size):
        batch = x_train[order[start : start + entry.batch_size]]
        logits, z_mean, z_log_var = model(batch, seed=generator)
        loss = (
            reconstruction_bce(batch, logits) + entry.beta * kl_divergence(z_mean, z_log_var)
        ).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(batch)
    model.eval()
    return total / len(x_train)


def _scores(model, data) -> dict[str, float]:
    """The model's test scores: -ELBO and its terms, active units, and sample quality."""
    import torch

    from vaecourse.torch import evaluate_elbo

    elbo = evaluate_elbo(model, data.test.images)
    with torch.no_grad():
        z_mean, _ = model.encode(torch.from_numpy(data.test.images))
        codings = np.random.default_rng(SAMPLE_SEED).standard_normal(
            (N_SAMPLES, model.codings_size), dtype=np.float32
        )
        samples = model.decode(torch.from_numpy(codings)).numpy()
    quality = sample_quality(samples, data.test.images)
    return {
        "test_neg_elbo": elbo["neg_elbo"],
        "test_reconstruction": elbo["reconstruction"],
        "test_kl": elbo["kl"],
        "active_units": active_units(z_mean.numpy()),
        "frechet_distance": quality["frechet_distance"],
        "confidence": quality["confidence"],
    }


def train_model(name: str, data) -> tuple[dict[str, np.ndarray], dict[str, str], float]:
    """Train registry entry ``name``; return its weights (``vaecourse.weights``' layout), the
    metadata of its file, and the seconds spent in training steps (not in evaluations). The time
    is printed, not saved: it depends on the machine, the file should not."""
    import torch

    from vaecourse.torch import ConvVAE, DenseVAE, evaluate_elbo, to_arrays

    entry = pretrained.MODELS[name]
    torch.manual_seed(entry.seed)
    if entry.architecture == "ConvVAE":
        model = ConvVAE(codings_size=entry.codings_size)
    else:
        model = DenseVAE(codings_size=entry.codings_size, hidden=entry.hidden)
    optimizer = torch.optim.Adam(model.parameters(), lr=entry.learning_rate)
    generator = torch.Generator().manual_seed(entry.seed)
    x_train = torch.from_numpy(data.train.images)
    history = {k: [] for k in HISTORY_KEYS}
    seconds = 0.0
    for epoch in range(1, entry.epochs + 1):
        start = time.perf_counter()
        history["train_loss"].append(_train_one_epoch(model, optimizer, x_train, entry, generator))
        seconds += time.perf_counter() - start
        valid, test = (evaluate_elbo(model, x) for x in (data.valid.images, data.test.images))
        history["valid_neg_elbo"].append(valid["neg_elbo"])
        history["test_neg_elbo"].append(test["neg_elbo"])
        history["test_reconstruction"].append(test["reconstruction"])
        history["test_kl"].append(test["kl"])
        print(
            f"{name} epoch {epoch:3d}/{entry.epochs}: train loss {history['train_loss'][-1]:.2f}"
            f"  test -ELBO {test['neg_elbo']:.2f} (KL {test['kl']:.2f})  {seconds:.0f} s"
        )
    metadata = {
        **entry.recipe(),
        "train_images": str(len(data.train.images)),
        "sample_seed": str(SAMPLE_SEED),
        "torch_threads": str(torch.get_num_threads()),
        "torch_version": torch.__version__,
        "history": json.dumps({k: [round(v, 4) for v in vs] for k, vs in history.items()}),
    }
    metadata.update({k: repr(v) for k, v in _scores(model, data).items()})
    return to_arrays(model), metadata, seconds


def _markdown_table(rows: list[dict]) -> str:
    lines = [
        "| model | codings | beta | epochs | test -ELBO | reconstruction | KL | active units "
        "| Fréchet distance | confidence | training time |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| `{r['name']}` | {r['codings_size']} | {float(r['beta']):g} | {r['epochs']} "
            f"| {float(r['test_neg_elbo']):.1f} | {float(r['test_reconstruction']):.1f} "
            f"| {float(r['test_kl']):.1f} | {r['active_units']} "
            f"| {float(r['frechet_distance']):.1f} | {float(r['confidence']):.3f} "
            f"| {float(r['training_seconds']):.0f} s |"
        )
    return "\n".join(lines)


def _compare_weights(arrays: dict[str, np.ndarray], shipped: Path) -> str:
    """Whether freshly trained weights are those of the shipped file. Its scores, in the metadata,
    may differ in their last digits when the evaluation code sums in another order."""
    theirs = load_file(str(shipped))
    if theirs.keys() != arrays.keys():
        return f"other arrays than {shipped}"
    worst = max(float(np.abs(arrays[k] - theirs[k]).max()) for k in arrays)
    if worst == 0.0:
        return f"the same weights as {shipped}, bit for bit"
    return f"weights differ from {shipped} by up to {worst:.3g}"


def models(args, data) -> None:
    names = args.only or list(pretrained.MODELS)
    rows = []
    for name in names:
        arrays, metadata, seconds = train_model(name, data)
        file = (args.out or pretrained.WEIGHTS_DIR) / pretrained.MODELS[name].file
        file.parent.mkdir(parents=True, exist_ok=True)
        save_file(arrays, str(file), metadata=metadata)
        print(f"{name}: wrote {file} ({file.stat().st_size / 1e6:.2f} MB) in {seconds:.0f} s")
        print(f'    sha256="{pretrained._sha256(file)}",')
        shipped = pretrained.WEIGHTS_DIR / pretrained.MODELS[name].file
        if file != shipped and shipped.is_file():
            print(f"    {_compare_weights(arrays, shipped)}")
        rows.append({"name": name, **metadata, "training_seconds": seconds})
    print(_markdown_table(rows))


# --- the band of 04-generation's training check ------------------------------------------------


def _band_torch(data, seed: int) -> float:
    import torch

    from vaecourse.torch import DenseVAE, evaluate_elbo, fit

    torch.manual_seed(seed)
    model = DenseVAE()
    fit(
        model,
        data.train.images,
        epochs=NOTEBOOK_EPOCHS,
        batch_size=NOTEBOOK_BATCH_SIZE,
        learning_rate=NOTEBOOK_LEARNING_RATE,
        seed=seed,
        progress=False,
    )
    return evaluate_elbo(model, data.test.images)["neg_elbo"]


def _band_keras(data, seed: int) -> float:
    import keras

    from vaecourse.keras import build_dense_vae, evaluate_elbo, fit

    keras.utils.set_random_seed(seed)
    model = build_dense_vae(seed=seed)
    fit(
        model,
        data.train.images,
        epochs=NOTEBOOK_EPOCHS,
        batch_size=NOTEBOOK_BATCH_SIZE,
        learning_rate=NOTEBOOK_LEARNING_RATE,
        seed=seed,
        progress=False,
    )
    return evaluate_elbo(model, data.test.images)["neg_elbo"]


def band(args, data) -> None:
    results = {}
    for framework, train in (("torch", _band_torch), ("keras", _band_keras)):
        for seed in args.seeds:
            start = time.perf_counter()
            results.setdefault(framework, []).append(train(data, seed))
            print(
                f"{framework} seed {seed}: test -ELBO {results[framework][-1]:.2f} nats "
                f"({time.perf_counter() - start:.0f} s)"
            )
    everything = [v for values in results.values() for v in values]
    for label, values in (*results.items(), ("both", everything)):
        print(
            f"{label}: mean {statistics.mean(values):.2f}, sd {statistics.stdev(values):.2f}, "
            f"min {min(values):.2f}, max {max(values):.2f} nats ({len(values)} runs)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", default="models", choices=("models", "band"))
    parser.add_argument("--only", nargs="+", choices=sorted(pretrained.MODELS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="write the files here instead of vaecourse/weights/pretrained (to check that the "
        "training reproduces them, and how long it takes)",
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="PyTorch threads (the files record it; default 1)"
    )
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    data = load_fashion_mnist(data_dir=args.data_dir)
    {"models": models, "band": band}[args.command](args, data)


if __name__ == "__main__":
    main()
