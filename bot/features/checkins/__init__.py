"""Check-ins (standups, weekly pulses) in each member's time zone, and recurring posts."""
