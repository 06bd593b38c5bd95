"""Loading and chunking the Markdown knowledge base."""
