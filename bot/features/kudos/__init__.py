"""Kudos and recognition: thanks, limits, leaderboards, badges, the member spotlight."""
