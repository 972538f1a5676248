"""Connections to outside systems: Kolada (statistics), OCDS and INDIGO exports."""
