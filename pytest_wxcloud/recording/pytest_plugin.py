"""pytest integration of cassettes (second ``pytest11`` entry point)."""
