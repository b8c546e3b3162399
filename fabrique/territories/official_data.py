"""Read the official geographic code (communes, EPCI) shipped with the front-end packages.

The data is read from files installed at set-up; nothing is fetched at run time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _


class OfficialDataUnavailable(Exception):
    pass


@dataclass(frozen=True)
class OfficialCommune:
    insee_code: str
    siren: str
    name: str
    population: int
    department_code: str
    region_code: str
    postal_codes: tuple[str, ...]


@dataclass(frozen=True)
class OfficialEpci:
    siren: str
    name: str
    legal_form: str
    member_codes: tuple[str, ...]


@dataclass(frozen=True)
class OfficialData:
    version: str
    communes: dict[str, OfficialCommune]
    communes_by_siren: dict[str, OfficialCommune]
    epcis: dict[str, OfficialEpci]


def _read_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError as exc:
        raise OfficialDataUnavailable(
            _(
                "The official territorial data is not installed (%(path)s is missing). "
                "Run the set-up again (make run)."
            )
            % {"path": path}
        ) from exc


@lru_cache(maxsize=2)
def _load(data_dir: str) -> OfficialData:
    directory = Path(data_dir)
    package = directory.parent / "package.json"
    version = _read_json(package).get("version", "?") if package.exists() else "?"
    communes: dict[str, OfficialCommune] = {}
    for row in _read_json(directory / "communes.json"):
        if row.get("type") != "commune-actuelle":
            continue
        commune = OfficialCommune(
            insee_code=row["code"],
            siren=row.get("siren", ""),
            name=row["nom"],
            population=int(row.get("population") or 0),
            department_code=row.get("departement", ""),
            region_code=row.get("region", ""),
            postal_codes=tuple(row.get("codesPostaux", [])),
        )
        communes[commune.insee_code] = commune
    epcis = {
        row["code"]: OfficialEpci(
            siren=row["code"],
            name=row["nom"],
            legal_form=row.get("type", ""),
            member_codes=tuple(member["code"] for member in row.get("membres", [])),
        )
        for row in _read_json(directory / "epci.json")
    }
    by_siren = {commune.siren: commune for commune in communes.values() if commune.siren}
    return OfficialData(version=version, communes=communes, communes_by_siren=by_siren, epcis=epcis)


def official_data() -> OfficialData:
    return _load(str(settings.OFFICIAL_DATA_DIR))
