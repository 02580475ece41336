"""Audio processing and blob storage for Baladeur."""
