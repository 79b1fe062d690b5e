"""In-process adapter: a simulated community that records everything the bot does."""
