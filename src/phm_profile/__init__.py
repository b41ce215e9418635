"""phm-profile: mental-health population profiles for Primary Care Networks."""

__version__ = "0.1.0"
