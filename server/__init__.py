"""The Baladeur HTTP server: settings, persistence, routes and jobs."""
