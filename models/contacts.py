"""E-mail addresses of the bodies, kept apart from the registry (CASCADE_CONTACTS).

    tld_ban_tuyen_giao: [tuyengiao@congdoan.vn]
    ldld_ha_noi: [vanphong@ldldhanoi.vn, lanhdao@ldldhanoi.vn]

When the configured file does not exist, config/contacts.example.yaml (example.org addresses)
is used so the embedded default runs end to end. `is_example` tells, by content: a file whose
addresses are all on reserved example domains (RFC 2606/6761) is the example, whatever its
path, so a copy of the example is refused in production too.
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


_EXAMPLE_DOMAIN = re.compile(r"(^|\.)(example\.(org|com|net)|[^.]+\.(test|example|invalid|localhost))$",
                             re.IGNORECASE)


def valid_address(address: str) -> bool:
    return bool(_ADDRESS.fullmatch(address)) and len(address) <= 254


def is_example_address(address: str) -> bool:
    """An address on a domain reserved for examples and tests (example.org, *.test, ...)."""
    return bool(_EXAMPLE_DOMAIN.search(address.rpartition("@")[2]))


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
    every = [a for addresses in out.values() for a in addresses]
    is_example = is_example or (bool(every) and all(is_example_address(a) for a in every))
    return Contacts(out, chosen, is_example)
