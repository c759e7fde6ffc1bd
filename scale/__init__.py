"""Tools for measuring the portal at city scale: the `generate_scale_data` dataset generator.

Not part of the portal's runtime: nothing imports `scale`; it may import every app.
"""
