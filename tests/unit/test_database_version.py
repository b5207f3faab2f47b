import pytest
from asyncpg import ServerVersion

from hotmart_common.store.db import UnsupportedServer, check_server_version

pytestmark = pytest.mark.unit


def test_a_server_older_than_postgresql_18_is_refused_by_name() -> None:
    with pytest.raises(UnsupportedServer, match=r"PostgreSQL 18 or later .* is PostgreSQL 17\.5"):
        check_server_version(ServerVersion(17, 5, 0, "final", 0))
    check_server_version(ServerVersion(18, 0, 0, "final", 0))
    check_server_version(ServerVersion(19, 1, 0, "final", 0))
