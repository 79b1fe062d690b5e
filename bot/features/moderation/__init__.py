"""Moderation: members flag with a reaction, moderators decide in a queue, strikes add up."""
