"""Checking Jacobians: numeric differentiation, ``verify`` with its diagnosis, and testing helpers.

The operations never need this code; it checks them, and hand derivations, from outside. It may
import the structures, the registry and the operations, never the other way round, and
``jacobians/__init__.py`` imports it after them. The registry is read when a check runs
(``jacobians.OPERATIONS``), so an activation registered after import is checked like the others.

===================  ==============================================================================
module               what it holds
===================  ==============================================================================
``_numeric``         :func:`numeric` and :class:`NumericJacobian`: the method, its error estimate,
                     the limit on memory weighed after f is called at x
``_differences``     the cores: central differences, Ridders' tableau, complex step
``_directional``     J·v along a few directions (the fast check's numeric side)
``_evaluate``        calling f on a read-only view of one working point, and the checks on every
                     output of f (what f may do with its argument)
``_progress``        the line of progress on a terminal while a long numeric Jacobian runs
``_calls``           which argument of f is differentiated (``wrt``), and how f is called with it
``_verify``          :func:`verify`, :func:`verify_file`: the options, and which check runs
``_full``            the full check: every entry against the numeric Jacobian, the :class:`Report`
``_fast``            the fast check: claimed·v against J·v along random directions, at any size
``_options``         verify's options, all checked before any work
``_compare``         the comparison by blocks of rows: tolerance, within, the entries that differ
``_expressions``     ``verify`` of a matrix expression against a closed form, at random draws
``_draws``           the sizes and random values an expression is checked at (inv, log: domains)
``_claim``           the claim as an array: the forms it may take, which one it is
``_readings``        the claim read transposed or column-major, each reading with its fix as code
``_diagnose``        the slips tried in turn to name the mistake
``_layer``           :class:`Layer`: where an activation sits, and the σ′ slips built from it
``_report``          :class:`Report`, :class:`Diagnosis`, :class:`Entry`: text, Markdown, HTML, dict
``testing``          ``assert_jacobian_close`` and hypothesis strategies (public as
                     ``jacobians.testing``, imported on first use)
===================  ==============================================================================

>>> from jacobians.checking import numeric, verify
>>> verify(lambda v: v**2, np.array([1.0, 2.0]), np.diag([2.0, 4.0])).matches
True
>>> numeric(lambda v: v**2, np.array([3.0]), "complex").matrix
array([[6.]])
"""

from ._layer import Layer
from ._numeric import METHODS, NumericJacobian, numeric
from ._report import Diagnosis, Entry, Report
from ._verify import FORMS, FULL_UP_TO, verify, verify_file

__all__ = [
    "FORMS",
    "FULL_UP_TO",
    "METHODS",
    "Diagnosis",
    "Entry",
    "Layer",
    "NumericJacobian",
    "Report",
    "numeric",
    "verify",
    "verify_file",
]
