"""The registry of vaecourse's reference code: every function and class that implements, or
builds, something a student writes for credit.

One list, read by two checks: ``vaecourse.checks.without_reference`` refuses these callables while
an answer's tests run, and ``vaecourse lint`` refuses test cells that use them (tests compare with
NumPy written in the test). Only functions and classes are listed: an object a student made from
them earlier (a fallback model, say) keeps working. Nothing here imports a framework.
"""

from __future__ import annotations

import importlib
import sys

# public module -> the names it exports that implement graded answers
REFERENCE = {
    "vaecourse.torch": (
        "ConvVAE",
        "DenseVAE",
        "evaluate_elbo",
        "fit",
        "kl_divergence",
        "kl_divergence_std",
        "reconstruction_bce",
        "reconstruction_mse",
        "sample_codings",
        "vae_loss",
    ),
    "vaecourse.keras": (
        "Sampling",
        "VAE",
        "build_conv_vae",
        "build_dense_vae",
        "evaluate_elbo",
        "fit",
        "kl_divergence",
        "kl_divergence_std",
        "reconstruction_bce",
        "reconstruction_mse",
        "vae_loss",
    ),
    "vaecourse.plots": ("latent_grid",),
    "vaecourse.metrics": ("active_units",),
}

# modules that import a framework: loaded by the guard only once their framework is loaded, so
# a PyTorch notebook never pays for importing TensorFlow
FRAMEWORK_OF = {"vaecourse.torch": "torch", "vaecourse.keras": "keras"}


def is_registered(dotted: str) -> bool:
    """Whether a dotted name such as ``vaecourse.torch.losses.kl_divergence`` or
    ``vaecourse.metrics.active_units`` names a registered callable (through its public module or
    one of that module's submodules)."""
    module, _, name = dotted.rpartition(".")
    return any(
        (module == public or module.startswith(public + ".")) and name in names
        for public, names in REFERENCE.items()
    )


def loaded_callables() -> dict[int, tuple[str, object]]:
    """{id(obj): (public dotted name, obj)} for every registered callable whose module can be
    loaded without importing a framework that is not loaded yet."""
    found = {}
    for public, names in REFERENCE.items():
        framework = FRAMEWORK_OF.get(public)
        if framework is not None and framework not in sys.modules:
            continue
        module = importlib.import_module(public)
        for name in names:
            obj = getattr(module, name)
            found[id(obj)] = (f"{public}.{name}", obj)
    return found
