"""Announcements: admin posts to one or both platforms, pinned, with acknowledgement tracking."""
