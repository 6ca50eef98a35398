"""The Excel files: the official layouts written with openpyxl (:mod:`sheets.exports` over the
shared styling of :mod:`sheets.layout`), the allocation table and the clerks' templates
(:mod:`sheets.allocation`, :mod:`sheets.template`), uploads read safely (:mod:`sheets.reading`).
Layouts only: ``core`` builds the rows and checks the values."""
