"""vaecourse: helper code for a course on Variational Autoencoders.

``import vaecourse`` is light: it imports neither PyTorch nor TensorFlow. The framework code
lives in ``vaecourse.torch`` and ``vaecourse.keras``, each importing only its own framework.
``vaecourse.pretrained(name, framework="torch" | "keras")`` loads a pretrained reference model
(``vaecourse/pretrained.py``); it is imported on first use.
"""

from .seeding import set_seed

__version__ = "0.1.0"
__all__ = ["pretrained", "set_seed", "__version__"]


def __getattr__(name: str):
    """``vaecourse.pretrained``, imported on first use (it is a callable module)."""
    if name == "pretrained":
        import importlib

        return importlib.import_module(".pretrained", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
