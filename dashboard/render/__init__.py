"""Renderers: Scene -> output (live pydeck map, briefing image, drawing map)."""
