"""Features: each registers its commands, actions, forms, jobs and settings on the router."""
