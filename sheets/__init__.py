"""Spreadsheet layouts: openpyxl out (:mod:`sheets.exports` over the shared styling of
:mod:`sheets.layout`), imports beside them. Layouts only: ``core`` builds the rows."""
