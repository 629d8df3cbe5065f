"""A model's weights as framework-neutral arrays (the layout of ``vaecourse.weights``), and back."""

from __future__ import annotations

import numpy as np
from keras import layers

from ..weights import layer_names, pack, unpack

_WEIGHTED = (layers.Dense, layers.Conv2D, layers.Conv2DTranspose)
_HEADS = ("z_mean", "z_log_var")


def _layers(vae) -> tuple[list[str], list]:
    by_name = {layer.name: layer for layer in vae.encoder.layers}
    body = [
        layer
        for layer in vae.encoder.layers
        if isinstance(layer, _WEIGHTED) and layer.name not in _HEADS
    ]
    decoder = [layer for layer in vae.decoder.layers if isinstance(layer, _WEIGHTED)]
    return layer_names(len(body), len(decoder)), [*body, *(by_name[h] for h in _HEADS), *decoder]


def to_arrays(vae) -> dict[str, np.ndarray]:
    """The weights of a ``build_dense_vae`` or ``build_conv_vae`` model as float32 NumPy arrays,
    by layer name (Keras' kernel layout is the neutral one)."""
    names, found = _layers(vae)
    return pack(names, [tuple(np.asarray(w) for w in layer.get_weights()) for layer in found])


def from_arrays(vae, arrays: dict[str, np.ndarray]):
    """Load arrays made by ``to_arrays`` (or by ``vaecourse.torch``) into ``vae``; returns it."""
    names, found = _layers(vae)
    for layer, (kernel, bias) in zip(found, unpack(names, arrays), strict=True):
        if tuple(kernel.shape) != tuple(layer.kernel.shape):
            raise ValueError(
                f"a kernel of shape {kernel.shape} does not fit layer {layer.name} "
                f"(kernel {tuple(layer.kernel.shape)})"
            )
        layer.set_weights([kernel, bias])
    return vae
