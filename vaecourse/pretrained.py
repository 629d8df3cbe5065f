"""Pretrained reference VAEs, one weights file for both frameworks.

``vaecourse.pretrained("dense_vae")`` returns the book's dense VAE (150-100 units, 10 codings)
trained on all 55,000 Fashion-MNIST training images, as a ``vaecourse.torch.DenseVAE``;
``vaecourse.pretrained("dense_vae", framework="keras")`` returns the same weights in a
``vaecourse.keras.build_dense_vae`` model. The module itself is callable (``vaecourse.pretrained``
is this module, and calling it calls :func:`load`), so ``from vaecourse.pretrained import info``
works too.

Every model is one safetensors file in ``vaecourse/weights/pretrained/``, holding the
framework-neutral arrays of ``vaecourse.weights`` and string metadata: the recipe (architecture,
codings_size, beta, epochs, seed...) and the scores measured on the test set when it was trained
(``info(name)``). ``scripts/train_pretrained.py`` trains every model of the registry below from its
seed and prints the SHA-256 of each file, which the registry records: a file whose checksum differs
is refused with an error naming it. Nothing here imports a framework until a model is loaded.
"""

from __future__ import annotations

import hashlib
import json
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "MODELS",
    "WEIGHTS_DIR",
    "PretrainedModel",
    "PretrainedWeightsError",
    "info",
    "load",
    "load_arrays",
    "names",
    "path",
]

#: Where the weights files live (inside the installed package).
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights" / "pretrained"

_FRAMEWORKS = {"torch": "torch", "pytorch": "torch", "keras": "keras", "tensorflow": "keras"}


@dataclass(frozen=True)
class PretrainedModel:
    """One entry of the registry: how the model was built and trained, and its file's checksum.

    Every model is the book's dense VAE (``hidden`` units, ``codings_size`` codings) or, where
    ``architecture`` is "ConvVAE", the course's small convolutional VAE
    (``vaecourse.torch.ConvVAE``, ``vaecourse.keras.build_conv_vae``; ``hidden`` is then unused).
    ``scripts/train_pretrained.py`` trains it with Adam (``learning_rate``) on
    ``reconstruction + beta * KL`` (Bernoulli cross-entropy summed over pixels), on the 55,000
    training images in batches of ``batch_size``, for ``epochs`` epochs, from ``seed``.
    """

    file: str
    sha256: str
    codings_size: int
    beta: float
    epochs: int
    seed: int
    description: str
    hidden: tuple[int, int] = (150, 100)
    batch_size: int = 128
    learning_rate: float = 1e-3
    architecture: str = "DenseVAE"

    def recipe(self) -> dict[str, str]:
        """The recipe as the file's metadata writes it (strings)."""
        return {
            "architecture": self.architecture,
            "hidden": ",".join(map(str, self.hidden)),
            "codings_size": str(self.codings_size),
            "beta": repr(float(self.beta)),
            "epochs": str(self.epochs),
            "batch_size": str(self.batch_size),
            "learning_rate": repr(float(self.learning_rate)),
            "seed": str(self.seed),
        }


#: The registry: name -> model. ``dense_vae_beta_1`` is another name for ``dense_vae``.
MODELS: dict[str, PretrainedModel] = {
    "dense_vae": PretrainedModel(
        file="dense_vae.safetensors",
        sha256="8d7716f252ff1eb9990ee8ac5ce2b7c748e481059823a395308289d4c60da536",
        codings_size=10,
        beta=1.0,
        epochs=50,
        seed=1,
        description="the book's dense VAE: 150-100 units, 10 codings, beta = 1",
    ),
    "dense_vae_2d": PretrainedModel(
        file="dense_vae_2d.safetensors",
        sha256="7504ee1061d4031bb25514be84c0bfc4ca79de7fd9861cb11e4449d2691e4be6",
        codings_size=2,
        beta=1.0,
        epochs=50,
        seed=2,
        description="the same VAE with a 2-D latent space, for scatter plots and grid walks",
    ),
    "dense_vae_beta_0": PretrainedModel(
        file="dense_vae_beta_0.safetensors",
        sha256="aa7ab4c22c055254eb47ba365ed55bedeafe644b0afba0427f43f6dee346d121",
        codings_size=10,
        beta=0.0,
        epochs=50,
        seed=3,
        description="the book's VAE trained on the reconstruction loss alone (beta = 0)",
    ),
    "dense_vae_beta_0.1": PretrainedModel(
        file="dense_vae_beta_0.1.safetensors",
        sha256="500cf7e392edffa9cd89973e55de6c4993731c71f411c6685d33395ac1cb7865",
        codings_size=10,
        beta=0.1,
        epochs=50,
        seed=4,
        description="the book's VAE with a weak latent loss (beta = 0.1)",
    ),
    "dense_vae_beta_4": PretrainedModel(
        file="dense_vae_beta_4.safetensors",
        sha256="78435f0f7f995b1e4673875bc7864d56256686f1294a97557c18f5fbc4dbfdd5",
        codings_size=10,
        beta=4.0,
        epochs=50,
        seed=5,
        description="the book's VAE with a strong latent loss (beta = 4)",
    ),
    "conv_vae": PretrainedModel(
        file="conv_vae.safetensors",
        sha256="8b57c24c59ccc8cc48960c82fbde28f5845128364bb7263d3494dde6a6943fd8",
        codings_size=10,
        beta=1.0,
        epochs=20,
        seed=6,
        description="a small convolutional VAE: 10 codings, beta = 1",
        architecture="ConvVAE",
    ),
}
_ALIASES = {"dense_vae_beta_1": "dense_vae"}


class PretrainedWeightsError(RuntimeError):
    """A pretrained weights file is missing, corrupted, or does not match the registry."""


def names() -> list[str]:
    """The names ``load`` accepts (aliases included), sorted."""
    return sorted([*MODELS, *_ALIASES])


def _entry(name: str) -> PretrainedModel:
    key = _ALIASES.get(name, name)
    if key not in MODELS:
        raise ValueError(
            f"unknown pretrained model {name!r}; the known ones are: {', '.join(names())}"
        )
    return MODELS[key]


def path(name: str) -> Path:
    """The weights file of model ``name``."""
    return WEIGHTS_DIR / _entry(name).file


def _restore_hint(name: str) -> str:
    key = _ALIASES.get(name, name)
    return (
        "Reinstall vaecourse (pip install --force-reinstall vaecourse), or restore the file from "
        f"the course's repository (git checkout -- vaecourse/weights/pretrained/{MODELS[key].file}"
        f"), or retrain it with `python scripts/train_pretrained.py --only {key}` and record the "
        "SHA-256 it prints in vaecourse/pretrained.py (the scores then change)."
    )


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with open(file, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checked_file(name: str) -> Path:
    """The weights file of ``name``, after checking that it exists and has the registry's
    SHA-256."""
    entry, file = _entry(name), path(name)
    if not file.is_file():
        raise PretrainedWeightsError(
            f"The weights file of the pretrained model {name!r} is missing: {file}. "
            + _restore_hint(name)
        )
    actual = _sha256(file)
    if actual != entry.sha256:
        raise PretrainedWeightsError(
            f"The weights file of the pretrained model {name!r}, {file}, is corrupted or not the "
            f"shipped version: its SHA-256 is {actual}, expected {entry.sha256}. "
            + _restore_hint(name)
        )
    return file


def _read(name: str) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """(arrays, metadata) of a checked file, after checking its recipe against the registry."""
    from safetensors import safe_open

    file = _checked_file(name)
    with safe_open(str(file), framework="numpy") as f:
        metadata = f.metadata() or {}
        arrays = {key: f.get_tensor(key) for key in f.keys()}
    recipe = _entry(name).recipe()
    wrong = {k: (metadata.get(k), v) for k, v in recipe.items() if metadata.get(k) != v}
    if wrong:
        raise PretrainedWeightsError(
            f"The weights file {file} does not hold the model the registry describes as {name!r}: "
            + "; ".join(f"{k} is {got!r}, expected {want!r}" for k, (got, want) in wrong.items())
            + ". "
            + _restore_hint(name)
        )
    return arrays, metadata


def load_arrays(name: str) -> dict[str, np.ndarray]:
    """The checked weights of model ``name`` as float32 NumPy arrays (``vaecourse.weights``'
    layout), without any framework."""
    return _read(name)[0]


def info(name: str) -> dict:
    """Everything the file records about model ``name``, checked: the recipe (architecture,
    hidden, codings_size, beta, epochs, batch_size, learning_rate, seed, train_images), the scores
    measured on the 10,000 test images when it was trained (test_neg_elbo, test_reconstruction,
    test_kl in nats per image, active_units, frechet_distance and confidence of 10,000 prior
    samples drawn with sample_seed), and ``history``: per-epoch lists
    ``train_loss``, ``valid_neg_elbo``, ``test_neg_elbo``, ``test_reconstruction``, ``test_kl``.
    Numbers come back as numbers."""
    _, metadata = _read(name)
    result = {"name": name, "description": _entry(name).description}
    for key, text in metadata.items():
        result[key] = json.loads(text) if key == "history" else _number_or_text(text)
    return result


def _number_or_text(text: str):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def load(name: str, framework: str = "torch"):
    """Model ``name`` in ``framework``: "torch" (or "pytorch"), a ``vaecourse.torch.DenseVAE`` (or
    ``ConvVAE``) in eval mode, or "keras" (or "tensorflow"), a ``vaecourse.keras.build_dense_vae``
    (or ``build_conv_vae``) model. Both hold the same weights from the same checked file, so they
    compute the same outputs."""
    if framework not in _FRAMEWORKS:
        raise ValueError(f"framework must be 'torch' or 'keras', not {framework!r}")
    entry = _entry(name)
    arrays = load_arrays(name)
    convolutional = entry.architecture == "ConvVAE"
    if _FRAMEWORKS[framework] == "torch":
        from . import torch as reference

        model = (
            reference.ConvVAE(codings_size=entry.codings_size)
            if convolutional
            else reference.DenseVAE(codings_size=entry.codings_size, hidden=entry.hidden)
        )
        return reference.from_arrays(model, arrays).eval()
    from . import keras as reference

    model = (
        reference.build_conv_vae(codings_size=entry.codings_size, beta=entry.beta)
        if convolutional
        else reference.build_dense_vae(
            codings_size=entry.codings_size, hidden=entry.hidden, beta=entry.beta
        )
    )
    return reference.from_arrays(model, arrays)


class _CallableModule(types.ModuleType):
    """``vaecourse.pretrained(name, framework)`` is ``vaecourse.pretrained.load(...)``."""

    def __call__(self, name: str, framework: str = "torch"):
        return load(name, framework)


sys.modules[__name__].__class__ = _CallableModule
