"""Topic names: one place, so no service spells one differently."""

IMPORT_CONFIRMED = "import.confirmed"
IMPORT_ROWS = "import.rows"
CHUNK_DONE = "import.chunk.done"
IMPORT_COMPLETED = "import.completed"
CLIENT_CREATED = "client.created"
CLIENT_UPDATED = "client.updated"
DEAD_LETTERS = "import.dlq"


def topic_partitions(row_topic_partitions: int) -> dict[str, int]:
    """Partition count per topic; row events spread chunks over many partitions."""
    return {
        IMPORT_CONFIRMED: 4,
        IMPORT_ROWS: row_topic_partitions,
        CHUNK_DONE: 4,
        IMPORT_COMPLETED: 1,
        CLIENT_CREATED: 4,
        CLIENT_UPDATED: 4,
        DEAD_LETTERS: 1,
    }
