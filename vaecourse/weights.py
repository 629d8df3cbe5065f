"""The course's framework-neutral weight layout, shared by ``vaecourse.torch`` and
``vaecourse.keras``: one file of weights loads into either framework's model.

A model's weights are a flat dict of float32 NumPy arrays named after the layer they belong to:
``encoder.<k>`` for the k-th layer with weights in the encoder's body, ``z_mean`` and
``z_log_var`` for its two heads, and ``decoder.<k>`` for the decoder's, each with a ``.kernel``
and a ``.bias``. Kernels use Keras' layout: a dense layer's is (inputs, outputs), a convolution's
(height, width, in channels, out channels), a transposed convolution's (height, width, out
channels, in channels). Feature maps are flattened channels first, as PyTorch does (the Keras
models permute before flattening), so dense kernels mean the same thing in both frameworks.
"""

from __future__ import annotations

import numpy as np


def layer_names(n_encoder: int, n_decoder: int) -> list[str]:
    """The names of a model's layers with weights, in the order the frameworks list them."""
    return (
        [f"encoder.{k}" for k in range(n_encoder)]
        + ["z_mean", "z_log_var"]
        + [f"decoder.{k}" for k in range(n_decoder)]
    )


def pack(names: list[str], kernels_and_biases: list[tuple]) -> dict[str, np.ndarray]:
    """{"<layer>.kernel": ..., "<layer>.bias": ...} from the layers' (kernel, bias) pairs."""
    if len(names) != len(kernels_and_biases):
        raise ValueError(f"{len(kernels_and_biases)} layers with weights for {len(names)} names")
    arrays = {}
    for name, (kernel, bias) in zip(names, kernels_and_biases, strict=True):
        arrays[f"{name}.kernel"] = np.ascontiguousarray(kernel, dtype=np.float32)
        arrays[f"{name}.bias"] = np.ascontiguousarray(bias, dtype=np.float32)
    return arrays


def unpack(names: list[str], arrays: dict[str, np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (kernel, bias) pairs of the named layers; a clear error when the arrays do not fit."""
    expected = {f"{n}.{part}" for n in names for part in ("kernel", "bias")}
    if set(arrays) != expected:
        missing, extra = sorted(expected - set(arrays)), sorted(set(arrays) - expected)
        raise ValueError(
            "these weights belong to another architecture: "
            f"missing {missing or 'nothing'}, unexpected {extra or 'nothing'}"
        )
    return [(np.asarray(arrays[f"{n}.kernel"]), np.asarray(arrays[f"{n}.bias"])) for n in names]
