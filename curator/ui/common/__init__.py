"""Helpers every room of `curator.ui` stands on: guarded slots, the delivery of
worker results to the main thread, the catalog job, the image loader, text
formatting. Imports no other room.
"""
