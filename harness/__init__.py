"""Code shared by the harnesses that run the portal as in production (bench/, loadtest/)."""
