"""Built-in commands every community has: help, language and time zone."""
