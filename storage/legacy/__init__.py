"""The one-off migration of the legacy AutoWebIQ MongoDB app (`autoweb migrate-legacy`; docs/MIGRATION.md).

`migration` runs it (phases, checkpoints, the advisory lock), `documents` holds the rules for messy documents,
`phases` and `balances` the rows each step writes, `writer` the COPY and checkpoint helpers, `report` the
verification. Only the CLI imports this package: claiming a migrated account from chat is `storage.accounts`.
"""

from storage.legacy.migration import LOCK_KEY, MigrationBusy, Report, migrate

__all__ = ["LOCK_KEY", "MigrationBusy", "Report", "migrate"]
