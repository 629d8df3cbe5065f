"""A model's weights as framework-neutral arrays (the layout of ``vaecourse.weights``), and back."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..weights import layer_names, pack, unpack

_WEIGHTED = (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)


def _layers(model) -> tuple[list[str], list[nn.Module]]:
    body = [m for m in model.encoder_body if isinstance(m, _WEIGHTED)]
    decoder = [m for m in model.decoder if isinstance(m, _WEIGHTED)]
    return layer_names(len(body), len(decoder)), [
        *body,
        model.z_mean_head,
        model.z_log_var_head,
        *decoder,
    ]


def _kernel(module: nn.Module) -> np.ndarray:
    weight = module.weight.detach().cpu().numpy()
    # Linear (out, in) -> (in, out); Conv2d (out, in, h, w) -> (h, w, in, out);
    # ConvTranspose2d (in, out, h, w) -> (h, w, out, in)
    return weight.T if isinstance(module, nn.Linear) else weight.transpose(2, 3, 1, 0)


def to_arrays(model) -> dict[str, np.ndarray]:
    """The weights of a ``DenseVAE`` or ``ConvVAE`` as float32 NumPy arrays, by layer name."""
    names, modules = _layers(model)
    return pack(names, [(_kernel(m), m.bias.detach().cpu().numpy()) for m in modules])


def from_arrays(model, arrays: dict[str, np.ndarray]):
    """Load arrays made by ``to_arrays`` (or by ``vaecourse.keras``) into ``model``; returns it."""
    names, modules = _layers(model)
    with torch.no_grad():
        for module, (kernel, bias) in zip(modules, unpack(names, arrays), strict=True):
            weight = kernel.T if isinstance(module, nn.Linear) else kernel.transpose(3, 2, 0, 1)
            if tuple(weight.shape) != tuple(module.weight.shape):
                raise ValueError(f"a kernel of shape {kernel.shape} does not fit {module}")
            module.weight.copy_(torch.from_numpy(np.ascontiguousarray(weight)))
            module.bias.copy_(torch.from_numpy(np.ascontiguousarray(bias)))
    return model
