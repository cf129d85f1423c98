"""What every API module shares: versions (overridable per call or per client), paths, calls and pages."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ValidationError

from connectors.tiktok_shop.errors import NO_CODE, TikTokFatalError
from connectors.tiktok_shop.models.base import CursorPage
from connectors.tiktok_shop.transport import Body, QueryValue, Transport

M = TypeVar("M", bound=BaseModel)
P = TypeVar("P", bound=CursorPage)

_VERSION = re.compile(r"^\d{6}$")


def paging(
    page_size: int | None,
    page_token: str | None = None,
    sort_field: str | None = None,
    sort_order: str | None = None,
) -> dict[str, QueryValue]:
    """The paging and sorting parameters of a list call (None values are dropped when sent)."""
    if page_size is not None and page_size < 1:
        raise ValueError(f"page_size must be positive, got {page_size}")
    return {
        "page_size": page_size,
        "page_token": page_token or None,
        "sort_field": sort_field,
        "sort_order": sort_order,
    }


def unique_ids(ids: Iterable[str], what: str) -> list[str]:
    """`ids` without duplicates, in order; raises ValueError on an empty or non-string id."""
    seen: dict[str, None] = {}
    for value in ids:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{what} must be non-empty strings, got {value!r}")
        seen.setdefault(value, None)
    return list(seen)


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    """`items` in consecutive slices of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True, eq=False)
class ApiModule:
    """One API area, bound to a transport and (for shop-scoped areas) a shop cipher; immutable."""

    name: ClassVar[str] = ""

    transport: Transport
    shop_cipher: str | None = None
    versions: Mapping[str, str] = field(default_factory=dict)

    def _version(self, operation: str, explicit: str | None, default: str) -> str:
        """The API version for `operation`: the call's `version=`, else the client's map, else the default."""
        version = explicit or self.versions.get(f"{self.name}.{operation}") or default
        if not _VERSION.fullmatch(version):
            raise ValueError(f"API version must be six digits like 202309, got {version!r}")
        return version

    @staticmethod
    def _path(template: str, version: str, **ids: str) -> str:
        """`template` with `{version}` and each `{name}` filled; ids are checked and escaped, never trusted."""
        values = {"version": version}
        for name, value in ids.items():
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{name} must be a non-empty string, got {value!r}")
            values[name] = quote(value, safe="")
        return template.format(**values)

    def _call(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, QueryValue] | None = None,
        body: Body = None,
        idempotent: bool = True,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        data: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one call for this module's shop; returns the envelope's `data`."""
        return self.transport.call(
            method,
            path,
            shop_cipher=self.shop_cipher,
            query=query,
            body=body,
            files=files,
            data=data,
            idempotent=idempotent,
        )

    def _model(self, model: type[M], data: Any) -> M:
        """`data` validated as `model` (a null `data` reads as an empty object).

        A payload that does not fit raises `TikTokFatalError`, so callers handle one error family.
        """
        try:
            return model.model_validate(data if data is not None else {})
        except ValidationError as exc:
            where = ", ".join(".".join(str(part) for part in error["loc"]) or "(root)" for error in exc.errors())
            message = f"unexpected {self.name} payload for {model.__name__}: invalid or missing {where}"
            raise TikTokFatalError(NO_CODE, message) from exc

    def _pages(
        self,
        model: type[P],
        method: str,
        path: str,
        *,
        query: Mapping[str, QueryValue] | None = None,
        body: Body = None,
        location: Literal["query", "json"] = "query",
    ) -> Iterator[P]:
        """Every page of a list call, typed, from the first to the last."""
        template = self.transport.build(method, path, shop_cipher=self.shop_cipher, query=query, body=body)
        for data in self.transport.pages(template, location=location):
            yield self._model(model, data)
