"""The inspector page (index.html): one self-contained file the admin API serves at
/__openmock/, with no build step and nothing fetched from elsewhere."""
