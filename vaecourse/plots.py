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


def kl_bars(
    kl_per_dimension, titles: Sequence[str], n_cols: int = 4, sharey: bool = True
) -> Figure:
    """Bar charts of the KL of each latent dimension, one panel per run.

    ``kl_per_dimension``: R arrays of codings_size values (nats per image), one per run;
    ``titles``: R panel titles. The bars of a panel are sorted from the largest KL to the
    smallest, and the tick labels under them name the dimensions. ``sharey``: one y axis for
    every panel (False: each panel scaled to its own largest bar).
    """
    kls = [np.asarray(kl, dtype=np.float64) for kl in kl_per_dimension]
    if len(titles) != len(kls):
        raise ValueError(f"{len(kls)} runs and {len(titles)} titles: need one title per run")
    n_cols = min(n_cols, len(kls))
    n_rows = -(-len(kls) // n_cols)
    fig, axes = _subplots(n_rows, n_cols, (3.2 * n_cols, 2.6 * n_rows))
    top = 1.05 * max(float(kl.max()) for kl in kls)
    for k, ax in enumerate(axes.flat):
        if k >= len(kls):
            ax.axis("off")
            continue
        order = np.argsort(-kls[k], kind="stable")
        ax.bar(np.arange(len(order)), kls[k][order], color="C0")
        ax.set_xticks(np.arange(len(order)), [str(j) for j in order], fontsize=7)
        ax.set_ylim(0, top if sharey else 1.05 * max(float(kls[k].max()), 1e-9))
        ax.set_title(str(titles[k]), fontsize=9)
        if k % n_cols == 0:
            ax.set_ylabel("KL (nats per image)")
        if k // n_cols == n_rows - 1:
            ax.set_xlabel("dimension, by decreasing KL")
    return fig


def rate_distortion(
    rates,
    distortions,
    labels: Sequence[str],
    groups: Sequence[str] | None = None,
    levels: Sequence[float] | None = None,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
) -> Figure:
    """Runs as points in the rate-distortion plane (Alemi et al. 2018, "Fixing a Broken ELBO").

    ``rates``: the KL of each run (x axis), ``distortions``: its reconstruction term (y axis),
    both in nats per image; ``labels``: one annotation per point; ``groups``: one name per point,
    each group with its own marker and legend entry. Dashed grey diagonals are lines of equal
    -ELBO, D + R = level, for each of ``levels`` (default: a few round values over the runs'
    range), labelled where they enter the plot. ``xlim`` and ``ylim`` zoom on a part of the plane
    (default: every run, and R = 0).
    """
    rates, distortions = np.asarray(rates, np.float64), np.asarray(distortions, np.float64)
    if not len(rates) == len(distortions) == len(labels):
        raise ValueError("rates, distortions and labels need one entry per run")
    groups = [""] * len(rates) if groups is None else [str(g) for g in groups]
    totals = rates + distortions
    levels = (
        MaxNLocator(nbins=6).tick_values(totals.min(), totals.max()) if levels is None else levels
    )
    pad_x, pad_y = 0.08 * np.ptp(rates) + 1, 0.08 * np.ptp(distortions) + 1
    xlim = xlim or (0.0, rates.max() + pad_x)  # a rate is never negative
    ylim = ylim or (distortions.min() - pad_y, distortions.max() + pad_y)
    fig, ax = _subplots(1, 1, (6.5, 4.5))
    ax = ax[0, 0]
    xs = np.array(xlim, np.float64)
    for level in levels:
        ax.plot(xs, level - xs, ls="--", lw=0.8, color="grey")
        _label_level(ax, float(level), xlim, ylim)
    for g, group in enumerate(dict.fromkeys(groups)):
        chosen = [k for k, name in enumerate(groups) if name == group]
        ax.scatter(
            rates[chosen],
            distortions[chosen],
            marker="os^Dv"[g % 5],
            s=40,
            color=f"C{g}",
            label=group or None,
            zorder=3,
        )
    for rate, distortion, label in zip(rates, distortions, labels, strict=True):
        ax.annotate(
            str(label), (rate, distortion), textcoords="offset points", xytext=(5, 4), fontsize=8
        )
    ax.set(
        xlim=xlim,
        ylim=ylim,
        xlabel="rate R = KL (nats per image)",
        ylabel="distortion D = reconstruction (nats per image)",
    )
    if any(groups):
        ax.legend(fontsize=8, loc="upper right")
    return fig


def _label_level(ax, level: float, xlim, ylim) -> None:
    """Write the ``level`` of a diagonal D + R = level where it enters the plot at its top or
    left edge; nothing when it misses the plot."""
    x = max(xlim[0], level - ylim[1])
    y = level - x
    if xlim[0] <= x <= xlim[1] and ylim[0] <= y <= ylim[1]:
        ax.annotate(
            f"{level:g}",
            (x, y),
            textcoords="offset points",
            xytext=(2, -10),
            fontsize=7,
            color="grey",
        )


def dimension_histograms(
    codings,
    densities: dict[str, Callable[[np.ndarray], np.ndarray]] | None = None,
    titles: Sequence[str] | None = None,
    limits: tuple[float, float] = (-4.0, 4.0),
    bins: int = 80,
    n_cols: int = 5,
) -> Figure:
    """One panel per latent dimension: a histogram of ``codings[:, j]`` (N, codings_size),
    normalized as a density, with each of ``densities`` drawn over it as a line.

    ``densities`` maps a legend label to a function of a NumPy array x that returns the density
    at x (a prior's, say); one legend for all panels sits below them. ``titles``: one per dimension
    (default "z[j]"). The histograms count the codings within ``limits`` in ``bins`` bins; all
    panels share the x and y axes.
    """
    codings = np.asarray(codings, dtype=np.float64)
    if codings.ndim != 2:
        raise ValueError(f"codings must have shape (N, codings_size), got {codings.shape}")
    size = codings.shape[1]
    titles = [f"z[{j}]" for j in range(size)] if titles is None else list(titles)
    if len(titles) != size:
        raise ValueError(f"{size} dimensions and {len(titles)} titles: need one per dimension")
    n_cols = min(n_cols, size)
    n_rows = -(-size // n_cols)
    fig, axes = _subplots(n_rows, n_cols, (3.0 * n_cols, 2.3 * n_rows))
    edges = np.linspace(*limits, bins + 1)
    x = np.linspace(*limits, 801)
    for j, ax in enumerate(axes.flat):
        if j >= size:
            ax.axis("off")
            continue
        ax.hist(codings[:, j], bins=edges, density=True, color="lightgrey", label="codings")
        for k, (label, density) in enumerate((densities or {}).items()):
            ax.plot(x, density(x), color=f"C{k}", lw=1.2, label=label)
        ax.set_title(titles[j], fontsize=9)
        ax.set_xlim(*limits)
    for ax in axes.flat[1:size]:
        ax.sharex(axes.flat[0])
        ax.sharey(axes.flat[0])
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=8)
    return fig
