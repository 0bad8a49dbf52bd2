"""reuse layer."""
