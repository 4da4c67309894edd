"""scratchnet: the neural network of section 3.7, built from scratch in NumPy.

Column convention throughout (Definition 3.7.3): X is n⁽⁰⁾ × m, one column per example.
"""
from . import activations, data, diagnostics, losses, plotting
from .diagnostics import deltas, layer_norms
from .network import *  # noqa: F401,F403  (the names in network.__all__)
from .network import __all__ as _network_all

__version__ = "0.1.0"
__all__ = ["activations", "data", "diagnostics", "losses", "plotting", *_network_all, "deltas", "layer_norms"]
