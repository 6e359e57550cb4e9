"""Errors of the data layer: each message names the file or value and the fix."""


class DataError(ValueError):
    """Bad or missing input data."""
