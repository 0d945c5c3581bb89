"""Helpers every room of `curator.ui` stands on: guarded slots, the image
loader, the window's pools (made by app.py), text formatting. Workers report
back through `curator.engine.delivery`. Imports no other room.
"""
