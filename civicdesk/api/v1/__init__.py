"""The JSON API, version 1: staff integrations acting as one member of staff each."""
