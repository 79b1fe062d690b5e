"""Polls, quizzes, surveys, the ideas board and exit surveys: asking the community."""
