"""A tiny fake platform used to test the fake-server base: notes behind a bearer token."""

from __future__ import annotations

from typing import Any

from syncd.testing import FakeServer, Request, Response, route

GOOD_TOKEN = "good-token-123"
OTHER_TOKEN = "other-token-456"


class FakeNotes(FakeServer):
    """Serves `/notes` to holders of one of two bearer tokens; `/health` is open."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.notes: dict[str, str] = {"1": "first"}

    def authenticate(self, request: Request) -> str | None:
        header = request.header("Authorization") or ""
        token = header.removeprefix("Bearer ")
        return token if token in (GOOD_TOKEN, OTHER_TOKEN) else None

    @route("GET", "/notes")
    def list_notes(self, request: Request) -> Response:
        return Response.json({"notes": self.notes, "q": request.arg("q"), "who": request.credential})

    @route("GET", "/notes/{note_id}")
    def get_note(self, request: Request) -> Response:
        note_id = request.path_params["note_id"]
        if note_id not in self.notes:
            return Response.json({"error": "no such note"}, status=404)
        return Response.json({"id": note_id, "text": self.notes[note_id]})

    @route("POST", "/notes")
    def add_note(self, request: Request) -> Response:
        note_id = str(len(self.notes) + 1)
        self.notes[note_id] = request.json()["text"]
        return Response.json({"id": note_id}, status=201)

    @route("GET", "/health", auth=False)
    def health(self, request: Request) -> Response:
        return Response.text("ok", headers={"X-Echo": request.header("x-echo", "") or ""})

    @route("GET", "/boom")
    def boom(self, request: Request) -> Response:
        raise KeyError("missing")
