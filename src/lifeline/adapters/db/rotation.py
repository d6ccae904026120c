"""Re-encrypting every stored value with the keyring's primary key (after a rotation)."""

from __future__ import annotations

from sqlalchemy import Engine, select, update

from lifeline.adapters.db.tables import ENCRYPTED, aad
from lifeline.services.ports import Cipher


def reencrypt_all(engine: Engine, keys: Cipher, batch: int = 500) -> dict[str, int]:
    """Rewrite values not yet under the primary key, in batches of `batch` rows per commit.
    Safe to interrupt and run again: rows already re-encrypted are skipped."""
    counts: dict[str, int] = {}
    for table, columns in ENCRYPTED.items():
        pk = next(iter(table.primary_key.columns))
        done = 0
        last = None
        while True:
            with engine.begin() as conn:
                query = select(pk, *(table.c[c] for c in columns)).order_by(pk).limit(batch)
                if last is not None:
                    query = query.where(pk > last)
                rows = conn.execute(query).all()
                for row in rows:
                    changes = {}
                    for col in columns:
                        token = row._mapping[col]
                        if token is not None and keys.key_id_of(token) != keys.primary:
                            plain = keys.decrypt_bytes(token, aad(table, col))
                            changes[col] = keys.encrypt(plain, aad(table, col))
                    if changes:
                        conn.execute(update(table).where(pk == row[0]).values(**changes))
                        done += 1
            if not rows:
                break
            last = rows[-1][0]
        counts[table.name] = done
    return counts
