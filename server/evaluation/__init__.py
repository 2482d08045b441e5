"""Sync and energy metrics of generated Foley against a clip's own sound (pure DSP)."""
