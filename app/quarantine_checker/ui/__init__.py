"""The desktop window and tray (PySide6)."""
