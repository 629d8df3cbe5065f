"""vaecourse: helper code for a course on Variational Autoencoders.

``import vaecourse`` is light: it imports neither PyTorch nor TensorFlow. The framework code
lives in ``vaecourse.torch`` and ``vaecourse.keras``, each importing only its own framework.
"""

from .seeding import set_seed

__version__ = "0.1.0"
__all__ = ["set_seed", "__version__"]
