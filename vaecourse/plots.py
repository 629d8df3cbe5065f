"""Matplotlib figures for the notebooks: image grids, reconstructions, latent plots and curves.

Inputs are NumPy arrays (or anything ``np.asarray`` accepts) and plain callables; every function
returns its ``Figure`` and never calls ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from statistics import NormalDist

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

_DEFAULT_SCALE = {"gaussian": 1.0, "uniform": 2.0}


def _subplots(n_rows: int, n_cols: int, figsize: tuple[float, float]):
    """A Figure not registered with pyplot: Jupyter shows the returned figure once, and
    nothing accumulates in pyplot's figure list."""
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots(n_rows, n_cols, squeeze=False)


def _probit(p: np.ndarray) -> np.ndarray:
    """Standard-normal quantiles (the inverse CDF), without importing SciPy."""
    return np.array([NormalDist().inv_cdf(float(q)) for q in p])


def _as_images(images) -> np.ndarray:
    """Return ``images`` of shape (N, 28, 28), (N, 784) or (N, 28, 28, 1) as (N, 28, 28)."""
    return np.asarray(images, dtype=np.float32).reshape(-1, 28, 28)


def _show(ax, image: np.ndarray, title: str | None = None) -> None:
    """Draw one (28, 28) image in [0, 1] on ``ax`` without ticks."""
    ax.imshow(image, cmap="binary", vmin=0.0, vmax=1.0)
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title, fontsize=9)


def image_grid(
    images, n_cols: int = 10, titles: Sequence[str] | None = None, scale: float = 1.2
) -> Figure:
    """Show images (N, 28, 28) in rows of ``n_cols``; each cell is ``scale`` inches wide.

    ``titles``, if given, has one entry per image. Unused cells of the last row are hidden.
    """
    images = _as_images(images)
    n_cols = min(n_cols, len(images))
    n_rows = -(-len(images) // n_cols)
    fig, axes = _subplots(n_rows, n_cols, (n_cols * scale, n_rows * scale))
    for k, ax in enumerate(axes.flat):
        if k < len(images):
            _show(ax, images[k], None if titles is None else str(titles[k]))
        else:
            ax.axis("off")
    return fig


def reconstructions(originals, reconstructed, n: int = 10) -> Figure:
    """Show the first ``n`` originals (N, 28, 28) on top and their reconstructions below."""
    originals, reconstructed = _as_images(originals), _as_images(reconstructed)
    n = min(n, len(originals), len(reconstructed))
    fig, axes = _subplots(2, n, (n * 1.2, 2.6))
    for j in range(n):
        _show(axes[0, j], originals[j])
        _show(axes[1, j], reconstructed[j])
    axes[0, 0].set_ylabel("original")
    axes[1, 0].set_ylabel("reconstruction")
    return fig


def latent_scatter(
    codings, labels, class_names: Sequence[str] | None = None, dims: tuple[int, int] = (0, 1)
) -> Figure:
    """Scatter two latent dimensions ``dims`` of ``codings`` (N, codings_size), coloured by class.

    ``labels`` has shape (N,) with integer classes; the legend shows ``class_names[label]`` or,
    without ``class_names``, the label itself.
    """
    codings, labels = np.asarray(codings), np.asarray(labels)
    fig, ax = _subplots(1, 1, (7, 6))
    ax = ax[0, 0]
    for c in np.unique(labels):
        points = codings[labels == c]
        name = str(c) if class_names is None else class_names[int(c)]
        ax.scatter(points[:, dims[0]], points[:, dims[1]], s=3, alpha=0.5, label=name)
    ax.set_xlabel(f"z[{dims[0]}]")
    ax.set_ylabel(f"z[{dims[1]}]")
    ax.legend(markerscale=4, fontsize=8, loc="best")
    return fig


def latent_grid(n: int, kind: str = "gaussian", scale: float | None = None) -> np.ndarray:
    """Return the (n * n, 2) coordinates of an n x n walk over the latent plane.

    ``kind="gaussian"``: each axis takes the standard-normal quantiles of
    ``np.linspace(0.05, 0.95, n)`` times ``scale`` (default scale 1.0). ``kind="uniform"``: each
    axis takes ``np.linspace(-scale, scale, n)`` (default scale 2.0). Row-major order: row i runs
    from high y (top) to low y (bottom), and within a row, column j runs from low x to high x, so
    tiling the decoded images row by row gives a picture whose y axis increases upward.
    """
    if kind not in _DEFAULT_SCALE:
        raise ValueError(f"kind must be 'gaussian' or 'uniform', got {kind!r}")
    if n < 2:
        raise ValueError(f"n must be at least 2 for a grid walk, got {n}")
    scale = _DEFAULT_SCALE[kind] if scale is None else scale
    if kind == "gaussian":
        values = _probit(np.linspace(0.05, 0.95, n)) * scale
    else:
        values = np.linspace(-scale, scale, n)
    ys, xs = np.meshgrid(values[::-1], values, indexing="ij")
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def latent_grid_walk(
    decode: Callable[[np.ndarray], np.ndarray],
    n: int = 15,
    kind: str = "gaussian",
    scale: float | None = None,
) -> Figure:
    """Decode an n x n grid from ``latent_grid`` and tile it into one (n * 28, n * 28) image.

    ``decode`` maps an (m, 2) float32 array to images (m, 28, 28) in [0, 1]; it is called once
    with all n * n points. The tick labels show the grid coordinates.
    """
    grid = latent_grid(n, kind, scale).astype(np.float32)
    return grid_walk(grid, decode(grid))


def grid_walk(grid, images, title: str | None = None, size: float = 8) -> Figure:
    """Tile the images decoded at the points of an n x n grid into one (n * 28, n * 28) picture.

    ``grid``: the (n * n, 2) coordinates, in the order of ``latent_grid`` (row by row from the top,
    x increasing within a row); ``images``: the n * n decoded images, in the same order. The tick
    labels show the grid coordinates; the figure is ``size`` inches wide.
    """
    grid, images = np.asarray(grid), _as_images(images)
    n = int(round(len(grid) ** 0.5))
    if n * n != len(grid) or len(images) != len(grid):
        raise ValueError(f"{len(grid)} grid points and {len(images)} images: need n * n of each")
    tiled = images.reshape(n, n, 28, 28).transpose(0, 2, 1, 3).reshape(n * 28, n * 28)
    fig, ax = _subplots(1, 1, (size, size))
    ax = ax[0, 0]
    ax.imshow(tiled, cmap="binary", vmin=0.0, vmax=1.0)
    ticks = np.unique(np.linspace(0, n - 1, min(n, 5)).round().astype(int))
    ax.set_xticks(ticks * 28 + 13.5, [f"{x:.1f}" for x in np.round(grid[ticks, 0], 1) + 0.0])
    ax.set_yticks(ticks * 28 + 13.5, [f"{y:.1f}" for y in np.round(grid[ticks * n, 1], 1) + 0.0])
    ax.set_xlabel("z[0]")
    ax.set_ylabel("z[1]")
    if title is not None:
        ax.set_title(title)
    return fig


def image_rows(
    rows, row_labels: Sequence[str] | None = None, col_labels: Sequence[str] | None = None
) -> Figure:
    """Show images (R, C, 28, 28) as R labelled rows of C images, e.g. one latent traversal or one
    interpolation per row. ``row_labels`` (R of them) go on the left, ``col_labels`` (C) on top.
    """
    rows = np.asarray(rows, dtype=np.float32)
    n_rows, n_cols = rows.shape[:2]
    rows = rows.reshape(n_rows, n_cols, 28, 28)
    fig, axes = _subplots(n_rows, n_cols, (n_cols * 1.1 + 1.5, n_rows * 1.1 + 0.3))
    for i in range(n_rows):
        for j in range(n_cols):
            _show(axes[i, j], rows[i, j], None if col_labels is None or i else str(col_labels[j]))
        if row_labels is not None:
            axes[i, 0].set_ylabel(str(row_labels[i]), rotation=0, ha="right", va="center")
    return fig


def interpolation_strip(images, labels: Sequence[str] | None = None) -> Figure:
    """Show images (N, 28, 28) in one row, e.g. decoded interpolation steps.

    ``labels``, if given, has one title per image.
    """
    images = _as_images(images)
    fig, axes = _subplots(1, len(images), (len(images) * 1.2, 1.6))
    for k, ax in enumerate(axes[0]):
        _show(ax, images[k], None if labels is None else str(labels[k]))
    return fig


def training_curves(
    history: dict[str, Sequence[float]], keys: Sequence[str] | None = None
) -> Figure:
    """Plot per-epoch metrics from ``history``, a dict of lists such as ``{"loss": [...]}``.

    One subplot per key of ``keys`` (default: whichever of "loss", "reconstruction" and "kl" are
    present) showing ``history[key]`` as "train" and ``history["val_" + key]``, if present, as
    "valid". Epochs are numbered from 1.
    """
    keys = [k for k in (keys or ("loss", "reconstruction", "kl")) if k in history]
    if not keys:
        raise ValueError(f"history has none of the keys to plot; its keys are {list(history)}")
    fig, axes = _subplots(1, len(keys), (4 * len(keys), 3.2))
    for key, ax in zip(keys, axes[0], strict=True):
        for name, label in ((key, "train"), ("val_" + key, "valid")):
            if name in history:
                ax.plot(np.arange(1, len(history[name]) + 1), history[name], label=label)
        ax.set_title(key)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend()
    return fig
