"""A plain PyTorch training loop with a progress bar, and a -ELBO evaluation."""

from __future__ import annotations

import sys
from collections import defaultdict

import numpy as np
import torch
from tqdm import tqdm

from .losses import kl_divergence, reconstruction_bce


def _as_tensor(x) -> torch.Tensor:
    return torch.as_tensor(np.asarray(x, dtype=np.float32))


def _epoch(model, x, batch_size, beta, generator, optimizer=None, desc=None) -> dict[str, float]:
    """One pass over x; trains when an optimizer is given. Returns per-image means."""
    order = torch.randperm(len(x), generator=generator) if optimizer else torch.arange(len(x))
    totals = defaultdict(float)
    batches = range(0, len(x), batch_size)
    bar = tqdm(
        batches,
        desc=desc,
        file=sys.stdout,
        leave=True,
        disable=desc is None,
        mininterval=0.5,
        ncols=90,
    )
    for start in bar:
        xb = x[order[start : start + batch_size]]
        logits, z_mean, z_log_var = model(xb, seed=generator)
        rec = reconstruction_bce(xb, logits).mean()
        kl = kl_divergence(z_mean, z_log_var).mean()
        loss = rec + beta * kl
        if optimizer is not None:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        for name, value in (("loss", loss), ("reconstruction", rec), ("kl", kl)):
            totals[name] += value.item() * len(xb)
        bar.set_postfix(
            loss=f"{totals['loss'] / min(start + batch_size, len(x)):.2f}", refresh=False
        )
    return {name: total / len(x) for name, total in totals.items()}


def fit(
    model,
    x_train,
    epochs: int = 10,
    batch_size: int = 128,
    learning_rate: float = 1e-3,
    beta: float = 1.0,
    x_valid=None,
    seed: int = 0,
    progress: bool = True,
) -> dict:
    """Train ``model`` with Adam on ``vae_loss`` (cross-entropy + beta * KL).

    x_train, x_valid: images (N, 28, 28) in [0, 1]. ``seed`` fixes the shuffling and the noise
    (weights are initialised when the model is built: seed before building it).
    Returns the history: per-epoch means of "loss", "reconstruction" and "kl" per image,
    plus "val_loss", "val_reconstruction", "val_kl" when x_valid is given.
    """
    x_train = _as_tensor(x_train)
    x_valid = None if x_valid is None else _as_tensor(x_valid)
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    history = defaultdict(list)
    for epoch in range(1, epochs + 1):
        model.train()
        desc = f"epoch {epoch}/{epochs}" if progress else None
        for name, value in _epoch(
            model, x_train, batch_size, beta, generator, optimizer, desc
        ).items():
            history[name].append(value)
        if x_valid is not None:
            with torch.no_grad():
                model.eval()
                for name, value in _epoch(model, x_valid, 1000, beta, generator).items():
                    history["val_" + name].append(value)
    model.eval()
    return dict(history)


def evaluate_elbo(model, x, batch_size: int = 1000, seed: int = 0) -> dict[str, float]:
    """Estimate -ELBO in nats per image with one sampled coding per image.

    Likelihood: Bernoulli cross-entropy from the decoder's logits on grey levels in [0, 1].
    Returns {"neg_elbo", "reconstruction", "kl"}, each a mean over the images.
    """
    was_training = model.training
    model.eval()
    with torch.no_grad():
        result = _epoch(model, _as_tensor(x), batch_size, 1.0, torch.Generator().manual_seed(seed))
    model.train(was_training)
    return {
        "neg_elbo": result["loss"],
        "reconstruction": result["reconstruction"],
        "kl": result["kl"],
    }
