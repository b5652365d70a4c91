"""Every public callable fed bad input, from one table (tests/fuzz/table.py): each argument in
turn replaced by a bad kind (a wrong type, bool, an object, text or boolean array, NaN, infinity,
an empty or 3-D array, a wrong shape, a huge value; for a size a negative, zero, fractional or
huge one; for an option a bad name). The call must raise ``reshape.InputError`` (or a subclass,
or ``DenseLimitError``) naming the argument, never Python's or numpy's own exception, never a
warning, never a NaN or infinity from finite input (tests/fuzz/harness.py judges).

Three sweeps: every (callable, argument, kind) with its canonical bad value, parametrized, so
each runs in CI; the same cases with the value varied by hypothesis (where a NaN sits, how huge,
which shape; deterministic in CI); and the other valid forms of each argument (a list for an
array, a numpy integer for a size), which must be accepted. The cases failing today in code this
test does not own are listed in tests/fuzz/known.py and expected to fail, strictly: a fix
elsewhere makes its case pass, and the strict xfail then fails until the line is removed.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz.harness import run, run_valid
from tests.fuzz.known import KNOWN
from tests.fuzz.table import CASES, TABLE, VARIANT_CASES, public_callables


def test_every_public_callable_has_a_row():
    """A new public function or class cannot escape: add its row to tests/fuzz/table*.py."""
    missing = sorted(set(public_callables()) - set(TABLE))
    assert not missing, f"public callables without a row in the fuzz table: {missing}"


def test_known_lists_only_cases_of_the_table():
    stale = sorted(set(KNOWN) - set(CASES) - set(VARIANT_CASES))
    assert not stale, f"KNOWN rows that are no case of the table: {stale}"


@pytest.mark.parametrize("name", [n for n, e in TABLE.items() if not e.exempt])
def test_the_valid_call_of_each_row_works(name):
    """The table's valid calls are valid: finite results, no warning, no error."""
    outcome = run_valid(TABLE[name])
    assert outcome.status == "finite", f"{name}: {outcome.status}: {outcome.detail}"


def _params(cases):
    """Each case a param named callable|argument|kind, a KNOWN one expected to fail (strictly)."""
    return [
        pytest.param(
            *case,
            id="|".join(case),
            marks=[pytest.mark.xfail(strict=True, reason=f"KNOWN: {KNOWN[case]}")]
            if case in KNOWN
            else [],
        )
        for case in cases
    ]


@pytest.mark.parametrize(("name", "arg", "kind"), _params(CASES))
def test_bad_input_is_refused_by_name(name, arg, kind):
    outcome = run(TABLE[name], arg, kind)
    assert outcome.good, f"{name}({arg}=<{kind}>): {outcome.status}: {outcome.detail}"


@pytest.mark.parametrize(("name", "arg", "variant"), _params(VARIANT_CASES))
def test_other_valid_forms_are_accepted(name, arg, variant):
    outcome = run_valid(TABLE[name], arg, variant)
    assert outcome.status == "finite", (
        f"{name}({arg}=<{variant}>): {outcome.status}: {outcome.detail}"
    )


# the cases hypothesis varies: not the known failures, not the slow rows (the sweep runs those)
VARIED = [c for c in CASES if c not in KNOWN and not TABLE[c[0]].slow]


@settings(max_examples=400)
@given(case=st.sampled_from(VARIED), seed=st.integers(0, 2**32 - 1))
def test_bad_input_varied_by_hypothesis_is_refused_by_name(case, seed):
    name, arg, kind = case
    outcome = run(TABLE[name], arg, kind, np.random.default_rng(seed))
    assert outcome.good, f"{name}({arg}=<{kind}>, seed {seed}): {outcome.status}: {outcome.detail}"
