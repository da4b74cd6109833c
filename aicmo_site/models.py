"""The project package holds no models; this module lets Django send it post_migrate."""
