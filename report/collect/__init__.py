"""Reading a sweep from disk: job directories, result files, the sweeper's own records."""
