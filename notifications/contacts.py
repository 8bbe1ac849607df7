"""E-mail addresses of the bodies, kept apart from the registry (CASCADE_CONTACTS).

    tld_ban_tuyen_giao: [tuyengiao@congdoan.vn]
    ldld_ha_noi: [vanphong@ldldhanoi.vn, lanhdao@ldldhanoi.vn]

When the configured file does not exist, config/contacts.example.yaml (example.org addresses)
is used so the embedded default runs end to end; `is_example` tells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from models.registry import Registry
from models.yaml_lines import YamlSyntaxError, line_of, load_with_lines

# Deliberately strict: a plain addr-spec, nothing that could smuggle a header or a second address.
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


class ContactsError(ValueError):
    """The contacts file is malformed; the message says the file, line and entry."""


def valid_address(address: str) -> bool:
    return bool(_ADDRESS.fullmatch(address)) and len(address) <= 254


@dataclass(frozen=True)
class Contacts:
    addresses: dict[str, tuple[str, ...]]
    path: Path
    is_example: bool

    def of(self, body_id: str) -> tuple[str, ...]:
        return self.addresses.get(body_id, ())

    def missing(self, body_ids: list[str]) -> list[str]:
        return [b for b in body_ids if not self.addresses.get(b)]


def load_contacts(path: Path, example: Path, registry: Registry) -> Contacts:
    """Contacts from `path`, or from `example` when `path` does not exist."""
    chosen, is_example = (path, False) if path.exists() else (example, True)
    try:
        data, lines = load_with_lines(chosen.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ContactsError(f"{chosen}: không đọc được ({exc.strerror})") from None
    except YamlSyntaxError as exc:
        raise ContactsError(f"{chosen}:{exc.line}: {exc.message}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ContactsError(f"{chosen}: cần ánh xạ mã đơn vị: [địa chỉ, ...]")
    out: dict[str, tuple[str, ...]] = {}
    for body_id, value in data.items():
        where = f"{chosen}:{line_of(lines, (body_id,))}"
        if body_id not in registry.bodies:
            raise ContactsError(f"{where}: {body_id!r} không có trong sổ đăng ký đơn vị")
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ContactsError(f"{where}: {body_id}: cần một danh sách địa chỉ e-mail")
        for address in values:
            if not valid_address(address.strip()):
                raise ContactsError(f"{where}: {body_id}: địa chỉ e-mail không hợp lệ {address!r}")
        out[body_id] = tuple(dict.fromkeys(a.strip() for a in values))
    return Contacts(out, chosen, is_example)
