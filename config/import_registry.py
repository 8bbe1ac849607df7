"""Build config/bodies.yaml from the research registry (shared/registry/bodies.json).

Ids, names, aliases, abbreviations, kinds, parents, groups and their members are kept as they
are; sources and confidence are kept so a reviewer can see where each fact comes from.

    python -m config.import_registry ../shared/registry/bodies.json [-o config/bodies.yaml]
"""

from __future__ import annotations

import argparse
import json
import unicodedata
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


def _nfc(value):
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {k: _nfc(v) for k, v in value.items()}
    return value


def convert(data: dict) -> dict:
    bodies = []
    for b in data["bodies"]:
        body = {
            "id": b["id"],
            "name": b["name"],
            "kind": b["kind"],
            "parent": b.get("parent"),
            "aliases": b.get("aliases", []),
            "abbreviations": b.get("abbreviations", []),
        }
        for key in ("status", "province", "province_type", "absorbed_former_federations"):
            if b.get(key):
                body[key] = b[key]
        body["confidence"] = b.get("confidence")
        body["sources"] = [s.get("url") for s in b.get("source", []) if s.get("url")]
        if b.get("notes"):
            body["notes"] = b["notes"]
        bodies.append(body)
    groups = []
    for g in data["groups"]:
        group = {
            "id": g["id"],
            "surface_forms": g.get("surface_forms", []),
            "members": g.get("members", []),
            "closed": bool(g.get("closed", False)),
        }
        if g.get("placeholder"):
            group["placeholder"] = True
        if g.get("notes"):
            group["notes"] = g["notes"]
        groups.append(group)
    abbreviations = [
        {"abbr": a["abbr"], "expansion": a["expansion"], "confidence": a.get("confidence")}
        for a in data.get("abbreviations", [])
    ]
    return _nfc({"about": data.get("about", ""), "bodies": bodies, "groups": groups,
                 "abbreviations": abbreviations})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("source", type=Path)
    ap.add_argument("-o", "--output", type=Path, default=HERE / "bodies.yaml")
    args = ap.parse_args()
    data = convert(json.loads(args.source.read_text(encoding="utf-8")))
    header = ("# Registry of responsible bodies. Generated from shared/registry/bodies.json by\n"
              "# `python -m config.import_registry`; edit here for a deployment. Ids are stable.\n")
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    args.output.write_text(header + text, encoding="utf-8")
    print(f"{args.output}: {len(data['bodies'])} bodies, {len(data['groups'])} groups")


if __name__ == "__main__":
    main()
