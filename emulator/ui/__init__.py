"""Inspector web pages."""
