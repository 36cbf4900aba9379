"""Swedish alphabetical order on both databases (issue 19.7).

Å, Ä and Ö are letters of their own after Z ("Andersson, Zetterlund, Åberg, Ödman, Örn");
é is an e, ü a y, æ an ä and ø an ö. The name columns that lists sort by carry the
collation SWEDISH (``db_collation=SWEDISH``), so ``order_by("last_name")`` is Swedish on
either database:

- PostgreSQL: an ICU collation (locale sv-SE) that common's migration 0004 creates; the
  server's own default here is en_US, which sorts Å, Ä, Ö among A and O.
- SQLite: a Python collation of the same name, registered on every new connection
  (common.apps connects ``register_swedish_collation`` to ``connection_created``).

``swedish_key`` is that Python collation's key; sort in Python only what never came from
one ordered query.
"""

import unicodedata
from functools import lru_cache

SWEDISH = "swedish"

# "{", "|", "}" are the three characters after "z" in code-point order.
_SWEDISH_LETTERS = {"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}", "ü": "y"}


@lru_cache(maxsize=4096)
def swedish_key(text: str | None) -> str:
    """A key whose code-point order is Swedish alphabetical order, case aside: å, ä, ö
    after z, any other accented letter as its base letter (é as e, ç as c)."""
    folded = unicodedata.normalize("NFC", (text or "").casefold())
    return "".join(_SWEDISH_LETTERS.get(c) or _base_letter(c) for c in folded)


def _base_letter(char: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))


def swedish_compare(a: str, b: str) -> int:
    """SQLite's collation callable: Swedish order, ties broken by the exact text so that
    the order is total (as ICU's, case decides last)."""
    left, right = (swedish_key(a), a), (swedish_key(b), b)
    return (left > right) - (left < right)


def register_swedish_collation(sender, connection, **kwargs):
    """connection_created receiver: give a new SQLite connection the SWEDISH collation."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SWEDISH, swedish_compare)
