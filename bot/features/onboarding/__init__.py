"""Onboarding: welcome, rules gate, questionnaire and segments, mentors, profiles."""
