"""The desktop GUI (PySide6 widgets). Only this package and curator/app.py import
QtWidgets/QtGui; everything here is built and wired by `curator.app`.
"""
