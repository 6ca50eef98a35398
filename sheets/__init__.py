"""The office's Excel files: layouts written with openpyxl, uploads read safely (sheets/reading.py)."""
