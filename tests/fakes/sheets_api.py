"""A stateful fake of the Google Sheets REST API v4, served over real HTTP on loopback.

Endpoints (documented request/response shapes):
- ``POST /token``: OAuth2 JWT-bearer grant; the assertion's RS256 signature is verified
  against the registered test key (cryptography); returns access_token/expires_in.
- ``GET /v4/spreadsheets/{id}``: metadata (properties.timeZone, sheets[].properties,
  protectedRanges; ``ranges`` + ``includeGridData`` give CellData with formats and
  validation).
- ``GET /v4/spreadsheets/{id}/values:batchGet`` and ``/values/{range}``: typed cells per
  valueRenderOption/dateTimeRenderOption, trailing empties trimmed, ``values`` omitted
  when empty.
- ``POST /v4/spreadsheets/{id}/values:batchUpdate``: RAW stores exactly; USER_ENTERED
  parses as typed into the target cell (sheets_grid.user_entered: a Plain text cell
  keeps the string; otherwise formulas, numbers in the spreadsheet locale - in_ID
  decimal comma, 15 significant digits, leading zeros lost - and day-first dates
  become formulas, numbers and date serials); nulls skipped;
  writes beyond the grid fail with 400 "exceeds grid limits"; all-or-nothing.
- ``POST /v4/spreadsheets/{id}:batchUpdate``: addSheet, appendDimension, deleteDimension (rows), setDataValidation,
  addProtectedRange, repeatCell (number format), updateSheetProperties, copyPaste
  (formats/validation).
API calls need ``Authorization: Bearer <token from /token>`` (401 otherwise).

Test controls: more spreadsheets on the same server (``add_spreadsheet``), a request log, error injection for the next N requests, a "helpdesk"
acting like a person in the browser, ``submit_form`` (a Google Forms response arriving
the way Forms writes it), ``on_next_write`` / ``on_next_structure`` to act between our read and our write. Not modelled: formula evaluation, formats moving with inserted rows, quotas.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, Mapping
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from tests.fakes.sheets_grid import EPOCH, ApiError, Book, Formula, Sheet, parse_range, user_entered

SCOPE = "https://www.googleapis.com/auth/spreadsheets"
GOOGLE_TOKEN_AUD = "https://oauth2.googleapis.com/token"
_PATH = re.compile(r"^/v4/spreadsheets/([^/:]+)(.*)$")


@dataclass
class Fault:
    kind: str  # "429" | "500" | "502-html" | "503-html" | "drop" | "slow"
    on: tuple[str, ...]
    retry_after: str | None = None
    delay: float = 5.0


class _Quiet(WSGIRequestHandler):
    def log(self, type: str, message: str, *args: Any) -> None:
        pass


class FakeSheetsAPI:
    def __init__(self, spreadsheet_id: str = "1BukuTamuUjiSpreadsheetId0000000000000000000",
                 *, title: str = "Buku Tamu (uji)", time_zone: str = "Asia/Pontianak",
                 first_sheet: str | None = "Sheet1") -> None:
        self.book = Book(spreadsheet_id, title, time_zone)
        if first_sheet:
            self.book.add_sheet(first_sheet)
        self.books: dict[str, Book] = {spreadsheet_id: self.book}  # more: add_spreadsheet()
        self.lock = threading.RLock()
        self.log: list[dict] = []
        self.shared = True  # False: every API call answers 403 (sheet not shared)
        self.token_lifetime = 3600
        self.keys: dict[str, Any] = {}  # client_email -> RSA public key
        self.granted: list[dict] = []  # JWT claims of every token issued
        self._tokens: dict[str, float] = {}
        self._faults: deque[Fault] = deque()
        self._next_write: list[Callable[[], None]] = []
        self._next_structure: list[tuple[str, Callable[[], None]]] = []
        self._late: list[dict] = []
        self._release = threading.Event()
        self._server = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------

    def start(self) -> "FakeSheetsAPI":
        self._server = make_server("127.0.0.1", 0, self, threaded=True, request_handler=_Quiet)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="fake-sheets", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def token_uri(self) -> str:
        return self.url + "/token"

    @property
    def spreadsheet_id(self) -> str:
        return self.book.id

    def add_spreadsheet(self, spreadsheet_id: str, title: str = "Arsip (uji)",
                        first_sheet: str | None = "Sheet1") -> Book:
        """Another spreadsheet the same service account can open (e.g. a year's archive)."""
        with self.lock:
            book = self.books[spreadsheet_id] = Book(spreadsheet_id, title, self.book.time_zone)
            if first_sheet:
                book.add_sheet(first_sheet)
            return book

    def register_key(self, client_email: str, public_key: Any) -> None:
        self.keys[client_email] = public_key

    # -- test controls -----------------------------------------------------------

    def fail_next(self, kind: str, times: int = 1, *, on: Iterable[str] = ("read", "write", "meta", "structure"),
                  retry_after: str | None = None, delay: float = 5.0) -> None:
        """The next ``times`` requests of the kinds ``on`` fail: "429" (JSON, optional
        Retry-After), "500" (JSON), "502-html"/"503-html" (an HTML page), "drop" (connection closed
        without an answer), "slow" (no answer for ``delay`` s, then closed; not applied),
        "late" (a values write: no answer for ``delay`` s, then closed, and NOT applied
        until ``apply_late()`` - the server applying a timed-out request after the
        client's retry already succeeded)."""
        assert kind in ("429", "500", "502-html", "503-html", "drop", "slow", "late"), kind
        with self.lock:
            for _ in range(times):
                self._faults.append(Fault(kind, tuple(on), retry_after, delay))

    def apply_late(self) -> int:
        """Apply the writes held back by "late" faults now, on the sheet as it is now
        (rows a person sorted since are hit by their old row numbers). Returns how many."""
        with self.lock:
            late, self._late = self._late, []
            for body in late:
                self._values_batch_update(body, people=False)
            return len(late)

    def on_next_write(self, action: Callable[[], None]) -> None:
        """Run ``action`` when the next values write arrives, before it is applied."""
        with self.lock:
            self._next_write.append(action)

    def on_next_structure(self, action: Callable[[], None], spreadsheet_id: str | None = None) -> None:
        """Run ``action`` when the next spreadsheets.batchUpdate (rows added or deleted,
        formats) arrives for the main spreadsheet (or ``spreadsheet_id``), before it is
        applied: a person acting at that moment."""
        with self.lock:
            self._next_structure.append((spreadsheet_id or self.book.id, action))

    def requests(self, kind: str | None = None) -> list[dict]:
        with self.lock:
            return [e for e in self.log if kind is None or e["kind"] == kind]

    def count(self, *kinds: str) -> int:
        return len([e for e in self.requests() if not kinds or e["kind"] in kinds])

    def reset_log(self) -> None:
        with self.lock:
            self.log.clear()

    def sheet(self, title: str) -> Sheet:
        s = self.book.sheet(title)
        assert s is not None, f"no tab {title!r}"
        return s

    # -- the helpdesk, acting like a person in the browser (1-based sheet rows) ---------

    def add_sheet(self, title: str, rows: int = 1000, cols: int = 26) -> Sheet:
        with self.lock:
            return self.book.add_sheet(title, rows, cols)

    def set_values(self, tab: str, rows: list[list[Any]]) -> None:
        """Replace a tab's content (creating the tab; the grid grows like a form's)."""
        with self.lock:
            s = self.book.sheet(tab) or self.book.add_sheet(tab)
            s.rows = [[None if v == "" else v for v in r] for r in rows]
            s.row_count = max(s.row_count, len(rows) + 1)
            s.col_count = max(s.col_count, max((len(r) for r in rows), default=0))

    def values(self, tab: str) -> list[list[Any]]:
        """The tab as stored: typed cells, Formula for formulas, trailing empty rows dropped."""
        with self.lock:
            s = self.sheet(tab)
            return [list(r) for r in s.rows[:s.used_rows()]]

    def append_form_row(self, tab: str, values: list[Any]) -> int:
        """A form submission: a new row after the last one (the grid grows if needed)."""
        with self.lock:
            s = self.sheet(tab)
            n = s.used_rows()
            s.rows[n:] = [list(values)]
            s.row_count = max(s.row_count, n + 1)
            return n + 1

    def submit_form(self, tab: str, answers: Mapping[str, str], when: datetime) -> int:
        """A Google Forms response, written the way Forms writes it to its linked tab:
        a new row after the last row in use (the grid grows if needed); column A gets
        the submission time as a date-time serial number, wall-clock in the
        spreadsheet's time zone; each answer goes under the column whose header is its
        question title, parsed as if typed (USER_ENTERED) into that cell: without the
        Plain text format a 16-digit NIK becomes a number (15 significant digits) and a
        phone number loses its leading 0. Returns the 1-based sheet row."""
        with self.lock:
            s = self.sheet(tab)
            header = list(s.rows[0]) if s.rows else []
            r = s.used_rows()
            s.row_count = max(s.row_count, r + 1)
            local = when.astimezone(ZoneInfo(self.book.time_zone)).replace(tzinfo=None)
            s.set(r, 0, (local - EPOCH) / timedelta(days=1))
            for question, answer in answers.items():
                if question not in header:
                    raise KeyError(f"no column for question {question!r} in {tab!r}")
                c = header.index(question)
                s.set(r, c, user_entered(answer, s.number_format(r, c), self.book.locale))
            return r + 1

    def insert_row(self, tab: str, before_row: int, values: Iterable[Any] = ()) -> None:
        with self.lock:
            s = self.sheet(tab)
            while len(s.rows) < before_row - 1:
                s.rows.append([])
            s.rows.insert(before_row - 1, [None if v == "" else v for v in values])
            s.row_count += 1

    def delete_row(self, tab: str, row: int) -> None:
        with self.lock:
            s = self.sheet(tab)
            if row - 1 < len(s.rows):
                del s.rows[row - 1]
            s.row_count -= 1

    def sort_rows(self, tab: str, column: int | str, reverse: bool = False, header_rows: int = 1) -> None:
        """Data > Sort range (A-Z or Z-A) below the header; blanks stay last."""
        with self.lock:
            s = self.sheet(tab)
            col = self._col(s, column)
            body = s.rows[header_rows:s.used_rows()]
            filled = [r for r in body if _at(r, col) is not None]
            blank = [r for r in body if _at(r, col) is None]
            filled.sort(key=lambda r: _sort_key(_at(r, col)), reverse=reverse)
            s.rows[header_rows:header_rows + len(body)] = filled + blank

    def edit_cell(self, tab: str, row: int, column: int | str, value: Any) -> None:
        with self.lock:
            s = self.sheet(tab)
            s.set(row - 1, self._col(s, column), None if value == "" else value)

    def rename_header(self, tab: str, old: str, new: str) -> None:
        with self.lock:
            s = self.sheet(tab)
            s.set(0, self._col(s, old), new)

    def rename_sheet(self, old: str, new: str) -> None:
        with self.lock:
            self.sheet(old).title = new

    @staticmethod
    def _col(s: Sheet, column: int | str) -> int:
        if isinstance(column, int):
            return column
        header = s.rows[0] if s.rows else []
        if column not in header:
            raise KeyError(f"no header {column!r} in {s.title!r}")
        return header.index(column)

    # -- WSGI --------------------------------------------------------------------

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        req = Request(environ)
        kind = _kind(req.method, req.path)
        body = req.get_json(silent=True) if req.mimetype == "application/json" else None
        entry = {"method": req.method, "path": req.path, "query": req.args.to_dict(flat=False),
                 "json": body, "kind": kind, "status": None}
        with self.lock:
            self.log.append(entry)
            fault = self._take_fault(kind)
        if fault is not None:
            entry["fault"] = fault.kind
            if fault.kind == "late":
                if req.method != "POST" or not req.path.endswith("/values:batchUpdate"):
                    raise AssertionError("a late fault applies to values:batchUpdate only")
                with self.lock:
                    self._late.append(body or {})
            if fault.kind in ("drop", "slow", "late"):
                if fault.kind in ("slow", "late"):
                    self._release.wait(fault.delay)
                return _drop(environ, start_response)
            resp = _fault_response(fault)
        else:
            resp = self._dispatch(req, kind, body)
        entry["status"] = resp.status_code
        entry["bytes"] = resp.content_length or 0
        return resp(environ, start_response)

    def _take_fault(self, kind: str) -> Fault | None:
        if self._faults and kind in self._faults[0].on:
            return self._faults.popleft()
        return None

    def _dispatch(self, req: Request, kind: str, body: Any) -> Response:
        try:
            if kind == "token":
                return _json(200, self._token(req))
            if kind == "other":
                raise ApiError(404, "Method not found.", "NOT_FOUND")
            self._authorise(req)
            m = _PATH.match(req.path)
            assert m is not None
            book = self.books.get(m.group(1))
            if book is None:
                raise ApiError(404, "Requested entity was not found.", "NOT_FOUND")
            if not self.shared:
                raise ApiError(403, "The caller does not have permission", "PERMISSION_DENIED")
            with self.lock:
                return _json(200, self._api(req, m.group(2), body, book))
        except ApiError as e:
            return _json(e.code, e.body())
        except _TokenError as e:
            return _json(400, {"error": e.error, "error_description": e.description})

    def _api(self, req: Request, rest: str, body: Any, book: Book) -> dict:
        if req.method == "GET" and rest == "":
            ranges = req.args.getlist("ranges")
            grid = req.args.get("includeGridData", "false").lower() == "true"
            return book.metadata(ranges, grid)
        if req.method == "GET" and rest == "/values:batchGet":
            opt = req.args.get("valueRenderOption", "FORMATTED_VALUE")
            dt = req.args.get("dateTimeRenderOption", "SERIAL_NUMBER")
            if req.args.get("majorDimension", "ROWS") != "ROWS":
                raise ApiError(400, "the fake supports majorDimension=ROWS only")
            return {"spreadsheetId": book.id,
                    "valueRanges": [book.read(r, opt, dt) for r in req.args.getlist("ranges")]}
        if req.method == "GET" and rest.startswith("/values/"):
            opt = req.args.get("valueRenderOption", "FORMATTED_VALUE")
            return book.read(rest[len("/values/"):], opt, req.args.get("dateTimeRenderOption", "SERIAL_NUMBER"))
        if req.method == "POST" and rest == "/values:batchUpdate":
            return self._values_batch_update(body or {}, book=book)
        if req.method == "POST" and rest == ":batchUpdate":
            requests = (body or {}).get("requests") or []
            if not requests:
                raise ApiError(400, "Must specify at least one request.")
            due = [a for sid, a in self._next_structure if sid == book.id]
            self._next_structure = [(sid, a) for sid, a in self._next_structure if sid != book.id]
            for action in due:
                action()
            return {"spreadsheetId": book.id, "replies": book.batch_update(requests)}
        raise ApiError(404, "Method not found.", "NOT_FOUND")

    def _values_batch_update(self, body: dict, people: bool = True, book: Book | None = None) -> dict:
        book = book or self.book
        actions, self._next_write = (self._next_write, []) if people else ([], self._next_write)
        for action in actions:
            action()  # a person acts between our read and our write
        option = body.get("valueInputOption")
        if not option:
            raise ApiError(400, "'valueInputOption' is required but not specified")
        data = body.get("data") or []
        areas = [book.check_write(d.get("range", ""), d.get("values") or [], option) for d in data]
        responses = []
        for d, area in zip(data, areas):
            r = book.write(area, d.get("values") or [], option)
            if body.get("includeValuesInResponse"):
                r["updatedData"] = book.read(d["range"], body.get("responseValueRenderOption", "FORMATTED_VALUE"),
                                                  body.get("responseDateTimeRenderOption", "SERIAL_NUMBER"))
            responses.append(r)
        return {"spreadsheetId": book.id,
                "totalUpdatedRows": sum(r["updatedRows"] for r in responses),
                "totalUpdatedColumns": max((r["updatedColumns"] for r in responses), default=0),
                "totalUpdatedCells": sum(r["updatedCells"] for r in responses),
                "totalUpdatedSheets": len({parse_range(d["range"], book).sheet.sheet_id for d in data}),
                "responses": responses}

    # -- auth --------------------------------------------------------------------

    def _token(self, req: Request) -> dict:
        if req.form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            raise _TokenError("unsupported_grant_type", "Only the JWT bearer grant is supported.")
        assertion = req.form.get("assertion", "")
        try:
            head_b64, claims_b64, sig_b64 = assertion.split(".")
            head, claims = json.loads(_unb64(head_b64)), json.loads(_unb64(claims_b64))
        except ValueError:
            raise _TokenError("invalid_grant", "Invalid JWT.") from None
        key = self.keys.get(claims.get("iss", ""))
        if head.get("alg") != "RS256" or key is None:
            raise _TokenError("invalid_grant", "Invalid JWT Signature.")
        try:
            key.verify(_unb64(sig_b64), f"{head_b64}.{claims_b64}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise _TokenError("invalid_grant", "Invalid JWT Signature.") from None
        now = time.time()
        # google-auth always signs for Google's own token endpoint as audience.
        if claims.get("aud") not in (GOOGLE_TOKEN_AUD, self.token_uri) or not claims.get("exp", 0) > now - 60:
            raise _TokenError("invalid_grant", "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.")
        token = "ya29.fake-" + secrets.token_urlsafe(24)
        with self.lock:
            self._tokens[token] = now + self.token_lifetime
            self.granted.append(dict(claims, _token=token))
        return {"access_token": token, "expires_in": self.token_lifetime, "token_type": "Bearer"}

    def _authorise(self, req: Request) -> None:
        auth = req.headers.get("Authorization", "")
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
        with self.lock:
            ok = self._tokens.get(token, 0) > time.time()
            claims = next((g for g in self.granted if g["_token"] == token), {})
        if not ok:
            raise ApiError(401, "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                                "login cookie or other valid authentication credential.", "UNAUTHENTICATED")
        if SCOPE not in str(claims.get("scope", "")).split():
            raise ApiError(403, "Request had insufficient authentication scopes.", "PERMISSION_DENIED")


class _TokenError(Exception):
    def __init__(self, error: str, description: str):
        super().__init__(description)
        self.error, self.description = error, description


def _kind(method: str, path: str) -> str:
    if path == "/token":
        return "token"
    m = _PATH.match(path)
    if not m:
        return "other"
    rest = m.group(2)
    if rest == "":
        return "meta"
    if rest == ":batchUpdate":
        return "structure"
    if rest.startswith("/values"):
        return "read" if method == "GET" else "write"
    return "other"


def _json(status: int, payload: Any) -> Response:
    return Response(json.dumps(payload), status=status, mimetype="application/json")


def _fault_response(f: Fault) -> Response:
    if f.kind == "429":
        r = _json(429, {"error": {"code": 429, "message": "Quota exceeded for quota metric 'Read requests' and "
                                  "limit 'Read requests per minute per user' of service 'sheets.googleapis.com'.",
                                  "status": "RESOURCE_EXHAUSTED"}})
        if f.retry_after is not None:
            r.headers["Retry-After"] = f.retry_after
        return r
    if f.kind == "500":
        return _json(500, {"error": {"code": 500, "message": "Internal error encountered.", "status": "INTERNAL"}})
    if f.kind == "502-html":
        html = ("<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Error 502 (Server Error)!!1</title>"
                "<p><b>502.</b> <ins>That's an error.</ins><p>The server encountered a temporary error.</html>")
        return Response(html, status=502, mimetype="text/html")
    html = ("<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Error 503 (Service Unavailable)!!1</title>"
            "<p><b>503.</b> <ins>That's an error.</ins><p>The service is currently unavailable.</html>")
    return Response(html, status=503, mimetype="text/html")


def _drop(environ: dict, start_response: Callable) -> Iterable[bytes]:
    sock = environ.get("werkzeug.socket")
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except (OSError, AttributeError):
        pass
    start_response("500 Dropped", [("Content-Length", "0")])
    return [b""]


def _unb64(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def _at(row: list[Any], col: int) -> Any:
    return row[col] if col < len(row) else None


def _sort_key(v: Any) -> tuple:
    if isinstance(v, bool):
        return (2, v)
    if isinstance(v, (int, float)):
        return (0, v)
    if isinstance(v, Formula):
        return (3, v.text)
    return (1, str(v).casefold())
