"""Every figure in vaecourse.plots renders headless and shows what it claims to."""

import subprocess
import sys

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from scipy.stats import norm

from vaecourse import plots


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def render(fig, tmp_path):
    """Check ``fig`` is a Figure that draws with Agg and saves to a non-empty PNG."""
    assert isinstance(fig, Figure)
    FigureCanvasAgg(fig).draw()
    path = tmp_path / "x.png"
    fig.savefig(path)
    assert path.stat().st_size > 0


def image_axes(fig):
    return [ax for ax in fig.axes if ax.images]


def images(rng, n, shape=(28, 28)):
    return rng.random((n, *shape), dtype=np.float32)


@pytest.mark.parametrize("shape", [(28, 28), (784,), (28, 28, 1)])
def test_image_grid_accepts_course_shapes(rng, tmp_path, shape):
    fig = plots.image_grid(images(rng, 13, shape), n_cols=5)
    render(fig, tmp_path)
    assert len(image_axes(fig)) == 13
    assert len(fig.axes) == 15  # 3 rows of 5, two hidden
    assert image_axes(fig)[0].images[0].get_array().shape == (28, 28)
    assert all(not ax.get_xticks().size and not ax.get_yticks().size for ax in image_axes(fig))


def test_image_grid_titles_and_list_input(rng, tmp_path):
    fig = plots.image_grid(images(rng, 3).tolist(), titles=["a", "b", "c"])
    render(fig, tmp_path)
    assert [ax.get_title() for ax in image_axes(fig)] == ["a", "b", "c"]
    assert image_axes(fig)[0].images[0].get_cmap().name == "binary"


def test_reconstructions(rng, tmp_path):
    x = images(rng, 12)
    fig = plots.reconstructions(x, 1 - x, n=6)
    render(fig, tmp_path)
    axes = image_axes(fig)
    assert len(axes) == 12
    assert axes[0].get_ylabel() == "original"
    assert axes[6].get_ylabel() == "reconstruction"
    np.testing.assert_array_equal(axes[6].images[0].get_array(), 1 - x[0])


def test_latent_scatter_legend_per_class(rng, tmp_path):
    codings = rng.normal(size=(200, 4))
    labels = rng.integers(0, 3, size=200)
    fig = plots.latent_scatter(codings, labels, class_names=["cat", "dog", "fish"], dims=(1, 3))
    render(fig, tmp_path)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["cat", "dog", "fish"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("z[1]", "z[3]")
    np.testing.assert_allclose(ax.collections[0].get_offsets(), codings[labels == 0][:, [1, 3]])


def test_latent_scatter_label_numbers(rng, tmp_path):
    fig = plots.latent_scatter(rng.normal(size=(50, 2)), np.arange(50) % 5)
    render(fig, tmp_path)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == list("01234")


@pytest.mark.parametrize("scale", [None, 0.5])
def test_latent_grid_gaussian(scale):
    n = 7
    grid = plots.latent_grid(n, "gaussian", scale)
    s = 1.0 if scale is None else scale
    edge = norm.ppf(0.95) * s
    assert grid.shape == (n * n, 2)
    np.testing.assert_allclose(grid[0], [-edge, edge])  # top left
    np.testing.assert_allclose(grid[-1], [edge, -edge])  # bottom right
    np.testing.assert_allclose(grid[:n, 0], norm.ppf(np.linspace(0.05, 0.95, n)) * s)


@pytest.mark.parametrize("scale", [None, 3.0])
def test_latent_grid_uniform(scale):
    n = 5
    s = 2.0 if scale is None else scale
    grid = plots.latent_grid(n, "uniform", scale).reshape(n, n, 2)
    xs, ys = grid[0, :, 0], grid[:, 0, 1]
    np.testing.assert_allclose(xs, np.linspace(-s, s, n))  # x increases along a row
    np.testing.assert_allclose(ys, np.linspace(s, -s, n))  # y decreases down the rows
    np.testing.assert_allclose(np.diff(xs), 2 * s / (n - 1))
    assert (grid[..., 0] == xs).all() and (grid[..., 1] == ys[:, None]).all()
    assert grid.min() == -s and grid.max() == s


@pytest.mark.parametrize("kind, n, match", [("laplace", 5, "kind"), ("gaussian", 1, "n must")])
def test_latent_grid_errors(kind, n, match):
    with pytest.raises(ValueError, match=match):
        plots.latent_grid(n, kind)


def test_latent_grid_walk_decodes_once(tmp_path):
    n, calls = 4, []

    def decode(z):
        calls.append(z)
        # each tile is uniform, brighter for larger z[0]: checks the tiling order
        return np.broadcast_to((z[:, 0, None, None] > 0).astype(np.float32), (len(z), 28, 28))

    fig = plots.latent_grid_walk(decode, n=n, kind="uniform")
    render(fig, tmp_path)
    assert len(calls) == 1
    assert calls[0].shape == (n * n, 2) and calls[0].dtype == np.float32
    ax = fig.axes[0]
    shown = ax.images[0].get_array()
    assert shown.shape == (n * 28, n * 28)
    assert shown[:, : 2 * 28].max() == 0 and shown[:, 2 * 28 :].min() == 1
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("z[0]", "z[1]")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["-2.0", "-0.7", "0.7", "2.0"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2.0", "0.7", "-0.7", "-2.0"]


def test_interpolation_strip(rng, tmp_path):
    fig = plots.interpolation_strip(images(rng, 6, (784,)), labels=[f"{t:.1f}" for t in range(6)])
    render(fig, tmp_path)
    axes = image_axes(fig)
    assert len(axes) == 6
    assert axes[-1].get_title() == "5.0"


def test_training_curves(tmp_path):
    history = {"loss": [3.0, 2.0, 1.5], "val_loss": [3.1, 2.2, 1.8], "kl": [0.1, 0.2, 0.3]}
    fig = plots.training_curves(history)
    render(fig, tmp_path)
    loss_ax, kl_ax = fig.axes
    assert [line.get_label() for line in loss_ax.lines] == ["train", "valid"]
    assert len(kl_ax.lines) == 1
    np.testing.assert_array_equal(loss_ax.lines[1].get_xdata(), [1, 2, 3])
    assert loss_ax.get_xlabel() == "epoch"


def test_training_curves_keys_and_missing():
    fig = plots.training_curves({"loss": [1.0], "mse": [2.0, 1.0]}, keys=["mse"])
    assert [ax.get_title() for ax in fig.axes] == ["mse"]
    with pytest.raises(ValueError, match="keys"):
        plots.training_curves({"accuracy": [0.5]})


def test_import_does_not_load_frameworks():
    code = (
        "import vaecourse.plots, sys; "
        "assert 'torch' not in sys.modules and 'tensorflow' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_kl_bars_sorts_each_run_and_shares_the_y_axis(tmp_path):
    kls = [np.array([0.0, 2.0, 1.0]), np.array([3.0, 0.5, 0.0]), np.zeros(3)]
    fig = plots.kl_bars(kls, titles=["beta 1", "beta 4", "beta 9"], n_cols=2)
    render(fig, tmp_path)
    first, second, _, unused = fig.axes
    assert [bar.get_height() for bar in first.patches] == [2.0, 1.0, 0.0]
    assert [t.get_text() for t in first.get_xticklabels()] == ["1", "2", "0"]
    assert (first.get_title(), second.get_title()) == ("beta 1", "beta 4")
    assert first.get_ylim() == second.get_ylim() and first.get_ylim()[1] >= 3.0
    assert not unused.axison
    with pytest.raises(ValueError, match="one title per run"):
        plots.kl_bars(kls, titles=["only one"])
    apart = plots.kl_bars(kls[:2], titles=["a", "b"], sharey=False).axes
    tops = [ax.get_ylim()[1] for ax in apart]
    assert tops == pytest.approx([2.1, 3.15])  # each panel scaled to its own largest bar


def test_rate_distortion_points_groups_and_equal_elbo_lines(tmp_path):
    rates, distortions = [10.0, 30.0, 5.0], [230.0, 221.0, 243.0]
    fig = plots.rate_distortion(
        rates, distortions, ["a", "b", "c"], groups=["short", "full", "full"], levels=[250.0]
    )
    render(fig, tmp_path)
    (ax,) = fig.axes
    short, full = ax.collections
    np.testing.assert_allclose(short.get_offsets(), [[10.0, 230.0]])
    np.testing.assert_allclose(full.get_offsets(), [[30.0, 221.0], [5.0, 243.0]])
    (diagonal,) = ax.lines
    np.testing.assert_allclose(diagonal.get_xdata() + diagonal.get_ydata(), 250.0)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["short", "full"]
    assert {"a", "b", "c"} <= {t.get_text() for t in ax.texts}
    assert ax.get_xlim()[0] <= 0 and ax.get_xlim()[1] > 30 and ax.get_ylim()[0] < 221


def test_rate_distortion_zoom_and_default_levels(tmp_path):
    fig = plots.rate_distortion([280.0, 12.0], [220.0, 230.0], ["x", "y"])
    render(fig, tmp_path)
    (ax,) = fig.axes
    assert ax.get_legend() is None and len(ax.lines) >= 3
    totals = [line.get_xdata()[0] + line.get_ydata()[0] for line in ax.lines]
    assert min(totals) <= 242 and max(totals) >= 500
    assert ax.get_xlim()[0] <= 0 and ax.get_xlim()[1] > 280
    zoomed = plots.rate_distortion(
        [280.0, 12.0], [220.0, 230.0], ["x", "y"], xlim=(0, 40), ylim=(215, 250)
    )
    assert zoomed.axes[0].get_xlim() == (0, 40) and zoomed.axes[0].get_ylim() == (215, 250)


def test_dimension_histograms(rng, tmp_path):
    codings = rng.normal(size=(2000, 3))
    flat = {"U(-1, 1)": lambda x: np.where(np.abs(x) <= 1, 0.5, 0.0), "N(0, 1)": norm.pdf}
    fig = plots.dimension_histograms(codings, flat, n_cols=2)
    render(fig, tmp_path)
    assert len(fig.axes) == 4 and not fig.axes[3].axison  # 2 x 2 panels, the last one hidden
    first = fig.axes[0]
    assert [ax.get_title() for ax in fig.axes[:3]] == ["z[0]", "z[1]", "z[2]"]
    assert [line.get_label() for line in first.lines] == ["U(-1, 1)", "N(0, 1)"]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["codings", "U(-1, 1)", "N(0, 1)"]
    np.testing.assert_allclose(first.lines[1].get_ydata().max(), norm.pdf(0), rtol=1e-4)
    heights = np.array([patch.get_height() for patch in first.patches])
    assert heights.sum() * 0.1 == pytest.approx(1.0)  # a density: 80 bins of width 0.1
    assert fig.axes[2].get_xlim() == (-4.0, 4.0)
    with pytest.raises(ValueError, match="titles"):
        plots.dimension_histograms(codings, titles=["a"])
