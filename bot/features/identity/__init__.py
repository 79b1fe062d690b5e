"""One person across Discord and Slack: linking accounts, data export and forget."""
