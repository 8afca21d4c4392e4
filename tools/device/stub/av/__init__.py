"""Stand-in: the device run writes no video."""
