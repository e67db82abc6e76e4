"""Built-in tools. Each folder is a plugin registered exactly like a third-party one."""
