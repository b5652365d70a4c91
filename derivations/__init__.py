"""Derivation tables and their renderers, the `jacobians` command, and the worked derivations."""

__all__: list[str] = []
