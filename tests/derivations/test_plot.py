"""The pictures: figures returned, not saved; heat maps at their true proportions, each with a
colour bar on a symmetric scale centred at 0, values in the cells of small chains; PNG, PDF and
SVG; a chain too large to draw refused before any drawing."""

import numpy as np
import pytest

import derivations._plot_chain as plot_chain
from derivations import mlp, single_layer
from derivations.plot import (
    MAX_CELLS,
    chain_cells,
    chain_figure,
    check_path,
    save,
    sine_figure,
)
from reshape import InputError

matplotlib = pytest.importorskip("matplotlib")
from matplotlib.figure import Figure  # noqa: E402


def heat_maps(fig):
    """The panels' axes (each holds one image), in the order drawn."""
    return [ax for ax in fig.axes if ax.images]


def matrices(d):
    return [F.jacobian.matrix for F in d.factors] + [d.gradient.reshape(1, -1), d.gradient]


@pytest.mark.parametrize(
    "make",
    [lambda: single_layer(), lambda: mlp([4, 8, 8, 3], wrt="W2"), lambda: single_layer(20, 30)],
)
def test_heat_maps_at_true_proportions(make):
    d = make()
    fig = chain_figure(d)
    assert isinstance(fig, Figure)
    axes = heat_maps(fig)
    mats = matrices(d)
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
        np.testing.assert_array_equal(ax.images[0].get_array(), np.atleast_2d(M))
    labels = [ax.get_xlabel() for ax in axes]
    assert labels[: len(d.factors)] == [
        f"{F.instance[0]}×{F.instance[1]}\n{F.shape}" for F in d.factors
    ]
    assert [ax.get_title() for ax in axes][: len(d.factors)] == [F.symbol for F in d.factors]


def test_every_panel_has_a_colour_bar_on_a_symmetric_scale_centred_at_zero():
    d = single_layer()
    fig = chain_figure(d)
    for ax, M in zip(heat_maps(fig), matrices(d), strict=True):
        image = ax.images[0]
        vmax = float(np.abs(M).max())
        norm = image.norm
        assert norm.vcenter == 0 and norm.vmin == -norm.vmax == pytest.approx(-vmax)
        assert image.colorbar is not None  # drawn, under the panel
        ticks = image.colorbar.get_ticks()
        np.testing.assert_allclose(ticks, [-vmax, 0.0, vmax])
        assert image.colorbar.ax.get_position().y1 < ax.get_position().y0
    assert image.get_cmap().name == "RdBu_r"  # diverging: blue below 0, red above


def test_values_are_written_in_the_cells_of_a_small_chain_only():
    d = single_layer()  # 34 columns: cells about 0.35 inch wide
    for ax, M in zip(heat_maps(chain_figure(d)), matrices(d), strict=True):
        M = np.atleast_2d(M)
        written = {(round(t.get_position()[1]), round(t.get_position()[0])): t for t in ax.texts}
        assert set(written) == {tuple(rc) for rc in np.argwhere(M != 0)}  # zeros stay blank
        for (r, c), t in written.items():
            assert t.get_text() == plot_chain.number(M[r, c])
            assert t.get_fontsize() <= 8
    assert not any(ax.texts for ax in heat_maps(chain_figure(single_layer(20, 30))))


def test_numbers_are_short_with_a_true_minus():
    assert [plot_chain.number(v) for v in (-0.0053, 0.082, -2.3, 1.0, 123456.0)] == [
        "−0.0053",
        "0.082",
        "−2.3",
        "1",
        "1.2e+5",
    ]


@pytest.mark.parametrize(
    ("suffix", "magic"), [(".png", b"\x89PNG"), (".pdf", b"%PDF"), (".svg", b"<?xml")]
)
def test_saved_in_the_format_of_the_extension(tmp_path, suffix, magic):
    path = tmp_path / f"chain{suffix.upper() if suffix == '.pdf' else suffix}"
    assert save(chain_figure(single_layer()), path) == str(path)
    assert path.read_bytes().lstrip()[: len(magic)] == magic


def test_no_pyplot_state_is_left_behind():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    chain_figure(single_layer())
    sine_figure((np.zeros(3), np.zeros(3)), (np.zeros(3), np.zeros(3)), [1.0, 0.5])
    assert plt.get_fignums() == before


def test_bad_extension_is_refused_naming_the_formats(tmp_path):
    with pytest.raises(InputError, match=r"\.png, \.pdf or \.svg") as e:
        save(chain_figure(single_layer()), tmp_path / "chain.jpg")
    assert e.value.op == "save" and e.value.arg == "path"
    assert not (tmp_path / "chain.jpg").exists()
    with pytest.raises(InputError, match="'--output'"):
        check_path("x.gif", "plot", "--output")


def test_a_chain_too_large_is_refused_before_any_drawing(monkeypatch):
    def no_drawing(*args, **kwargs):
        raise AssertionError("drawn")

    monkeypatch.setattr(plot_chain, "draw", no_drawing)
    d = single_layer(200, 300)
    cells = chain_cells("layer", n=200, m=300)
    with pytest.raises(InputError) as e:
        chain_figure(d)
    msg = str(e.value)
    assert f"at most {MAX_CELLS} entries" in msg and f"{cells} entries" in msg
    assert "200×60000" in msg and "choose smaller sizes" in msg


def test_sine_figure(tmp_path):
    x = np.linspace(-np.pi, np.pi, 9)
    fig = sine_figure((x, np.sin(x)), (x, 0.9 * np.sin(x)), [1.0, 0.5, 0.1], title="demo")
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert fig.axes[1].get_yscale() == "log" and fig.axes[1].get_title() == "loss: 1 → 0.1"
    save(fig, tmp_path / "s.pdf")
    assert (tmp_path / "s.pdf").read_bytes()[:4] == b"%PDF"
    assert fig._repr_png_()[:4] == b"\x89PNG"  # a notebook shows it, pyplot or not
