"""handouts: branded, printable patient handouts and aftercare sheets for ketamine clinics."""

__version__ = "0.1.0"
