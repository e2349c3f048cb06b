"""Staff pages at /staff/: the daily work of federation staff and district editors."""
