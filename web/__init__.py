"""The public site, API and feeds (FastAPI): see the site issue. It imports the
tracker's application and read models, never the other way round."""
