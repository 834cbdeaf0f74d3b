"""Machine-readable zones (ICAO Doc 9303): check digits, parsing, reading."""
