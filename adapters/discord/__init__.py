"""Discord adapter: discord.py in, core events out; core `Outgoing` in, Discord calls out."""
