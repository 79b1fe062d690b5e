"""The Slack adapter: slack-bolt in, Block Kit out, no business logic in between."""
