"""Events: RSVPs with a waitlist, reminders, recurring meetups, calendar (.ics) files."""
