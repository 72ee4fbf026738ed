"""Local doubles of the services we do not own (only those), reached through their `*_URL` settings."""
