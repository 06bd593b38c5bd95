"""The web console: HTML over HTTP and a real headless Chromium."""
