"""Print the API's OpenAPI document (`/openapi.json`) as sorted JSON, without a server.

    python scripts/openapi_document.py > openapi.json

The document is built from a throwaway SQLite database and key folder (nothing is migrated or
written beyond a temporary directory). tests/contract/test_openapi_growth.py checks the
document only grows against one saved this way (tests/data/openapi_before_read_models.json).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from lifeline.bootstrap import bootstrap
from lifeline.settings import Settings
from lifeline.web.app import create_app


def document() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite:///{Path(tmp) / 'lifeline.db'}",
            data_key_file=Path(tmp) / "keys" / "lifeline.key",
            public_docs=True,
            log_json=False,
            _env_file=None,  # type: ignore[call-arg]  # pydantic-settings' own argument
        )
        lifeline = bootstrap(settings)
        try:
            return create_app(lifeline, embedded_worker=False).openapi()
        finally:
            lifeline.dispose()


def main() -> int:
    json.dump(document(), sys.stdout, indent=1, sort_keys=True, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
