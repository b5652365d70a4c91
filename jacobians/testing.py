"""The public path of :mod:`jacobians.checking.testing`, where the helpers live.

A module rather than a ``sys.modules`` alias: static tools and ``importlib.util.find_spec`` find a
file here, and ``jacobians/__init__.py`` neither imports hypothesis' helpers eagerly nor patches
``sys.modules``.
"""

from .checking.testing import arrays, assert_jacobian_close, forward, networks, shapes

__all__ = ["arrays", "assert_jacobian_close", "forward", "networks", "shapes"]
