"""The worked derivations in derivations/*.md are exactly what derivations.worked generates.

If this fails after an intended change, regenerate them with `python -m derivations.worked` and
review the diff.
"""

import pytest

from derivations import worked


@pytest.fixture(scope="module")
def generated():
    return worked.documents()


@pytest.mark.parametrize("name", worked.FILES)
def test_worked_derivation_is_up_to_date(generated, name):
    path = worked.HERE / name
    assert path.exists(), f"{path} is missing: run python -m derivations.worked"
    assert path.read_text(encoding="utf-8") == generated[name], (
        f"{name} is stale: run python -m derivations.worked and review the diff"
    )


def test_worked_derivations_say_what_they_must(generated):
    one, three, soft = (generated[n] for n in worked.FILES)
    for doc in (one, three, soft):
        for phrase in ("Numerator layout", "Row-major vec", "shaped like the parameter"):
            assert phrase in doc
    assert "1×n · n×n · n×nm = 1×nm → n×m" in one and "I_n ⊗ xᵀ" in one
    assert "Why Lemma 2 is the transpose" in three and "`.T`" in three
    assert three.count("**∂C/∂") == 3  # the three backprop equations
    assert "**i = j**" in soft and "**i ≠ j**" in soft and "(a − y)ᵀ" in soft
    for doc in (one, three, soft):  # every check in the documents passed
        assert "FAILED" not in doc and "| ok |" in doc


def test_main_writes_the_files(tmp_path):
    assert worked.main(tmp_path) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(worked.FILES)
