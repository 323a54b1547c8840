"""Google Sheets store: gspread + google-auth (service account), bounded retries.

``GoogleSheetStore`` (store.py) implements the SheetStore port; ``RetryingHTTPClient``
(http.py) is the HTTP layer under gspread. Import them from their modules; this
package imports nothing so the embedded mode never loads gspread.
"""
