"""Skills: what the assistant can do once it knows what a message is about."""
