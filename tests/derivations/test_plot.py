"""The chain figure: one heat map per factor at its true proportions, its shape under it."""

import pytest

from derivations import mlp, single_layer
from derivations.plot import chain_figure, sine_figure

plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture
def figures(monkeypatch):
    """Keep the figures chain_figure closes, to inspect them."""
    kept = []
    monkeypatch.setattr(plt, "close", lambda fig=None: kept.append(fig))
    return kept


@pytest.mark.parametrize(
    "make",
    [lambda: single_layer(), lambda: mlp([4, 8, 8, 3], wrt="W2"), lambda: single_layer(20, 30)],
)
def test_heat_maps_at_true_proportions(tmp_path, figures, make):
    d = make()
    chain_figure(d, tmp_path / "chain.png")
    fig = figures[-1]
    axes = fig.axes
    mats = [F.jacobian.matrix for F in d.factors] + [d.gradient.reshape(1, -1), d.gradient]
    assert len(axes) == len(mats)
    w_in, h_in = fig.get_size_inches()
    cell = None
    for ax, M in zip(axes, mats, strict=True):
        box = ax.get_position()
        rows, cols = M.shape if M.ndim == 2 else (1, M.shape[0])
        width, height = box.width * w_in, box.height * h_in
        assert width / cols == pytest.approx(height / rows, rel=1e-6)  # square cells
        cell = cell or width / cols
        assert width / cols == pytest.approx(cell, rel=1e-6)  # the same cell size everywhere
    labels = [ax.get_xlabel() for ax in axes]
    assert labels[: len(d.factors)] == [
        f"{F.instance[0]}×{F.instance[1]}\n{F.shape}" for F in d.factors
    ]
    assert [ax.get_title() for ax in axes][: len(d.factors)] == [F.symbol for F in d.factors]


def test_zero_is_white_and_scale_symmetric(tmp_path, figures):
    chain_figure(single_layer(), tmp_path / "chain.svg")
    image = figures[-1].axes[2].images[0]  # ∂z/∂W = I_n ⊗ xᵀ
    norm = image.norm
    assert norm.vcenter == 0 and norm.vmin == -norm.vmax
    assert (tmp_path / "chain.svg").read_text().lstrip().startswith("<?xml")


def test_bad_suffix_and_too_big(tmp_path):
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        chain_figure(single_layer(), tmp_path / "chain.jpg")
    with pytest.raises(ValueError, match="choose smaller sizes"):
        chain_figure(single_layer(200, 300), tmp_path / "chain.png")


def test_sine_figure(tmp_path):
    import numpy as np

    x = np.linspace(-np.pi, np.pi, 9)
    path = sine_figure((x, np.sin(x)), (x, 0.9 * np.sin(x)), [1.0, 0.5, 0.1], tmp_path / "s.png")
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG" and path.endswith("s.png")
