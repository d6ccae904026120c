"""Build src/lifeline/data/geo/std_areas.csv: Indian landline prefixes (country code 91 and the
STD code) -> the area phonenumbers names for them ("Lucknow, Uttar Pradesh").

The data is libphonenumber's geocoding data (Apache-2.0) as shipped by the `phonenumbers`
package; importing its geocoder at run time costs about a second (it loads every country's
table), so Lifeline reads this small extract instead and uses phonenumbers itself only to parse
and classify numbers.

    .venv/bin/python scripts/build_std_areas.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import phonenumbers
from phonenumbers.geodata import GEOCODE_DATA

OUT = Path(__file__).resolve().parent.parent / "src" / "lifeline" / "data" / "geo" / "std_areas.csv"


def main() -> None:
    rows = sorted(
        (prefix, names["en"])
        for prefix, names in GEOCODE_DATA.items()
        if prefix.startswith("91") and names.get("en") and names["en"] != "India"
    )
    with OUT.open("w", newline="") as fh:
        fh.write(
            f"# libphonenumber geocoding data via phonenumbers {phonenumbers.__version__}; "
            "Apache-2.0\n"
        )
        writer = csv.writer(fh)
        writer.writerow(["prefix", "area"])
        writer.writerows(rows)
    print(f"wrote {OUT} ({len(rows)} prefixes)")


if __name__ == "__main__":
    main()
